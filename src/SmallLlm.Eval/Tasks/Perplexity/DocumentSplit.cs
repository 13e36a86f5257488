namespace SmallLlm.Eval.Tasks.Perplexity;

/// <summary>How a corpus file becomes documents (each document is scored from a fresh BOS).</summary>
public enum DocumentSplit
{
    /// <summary>The whole file is one document.</summary>
    File,
    /// <summary>Documents are separated by a marker such as <c>&lt;|endoftext|&gt;</c>; each is trimmed.</summary>
    Separator,
    /// <summary>WikiText: a new article starts at each top-level heading line <c> = Title = </c>.</summary>
    WikitextArticles,
}
