namespace SmallLlm.Eval.Tokenizers.Compression;

/// <summary>One text file of a corpus: where it is and how it groups (its folder relative to the corpus root).</summary>
public sealed record CorpusFile(string Corpus, string Path, string RelativePath)
{
    public string Folder => System.IO.Path.GetDirectoryName(RelativePath) is { Length: > 0 } d ? d.Replace('\\', '/') : ".";
}

/// <summary>A file left out of the counts, and why.</summary>
public sealed record SkippedFile(string Path, string Reason);
