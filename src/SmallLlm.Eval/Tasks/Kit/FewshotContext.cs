using System.Text;

namespace SmallLlm.Eval.Tasks.Kit;

/// <summary>One few-shot example as lm-eval writes it: the document's text and its target (empty: no target).</summary>
public sealed record FewshotExample(string Text, string Target);

/// <summary>
/// lm-evaluation-harness's plain (no chat template) prompt: <c>fewshot_context</c> with the description first, then
/// <c>ContextSampler.get_context</c>'s examples (text, and when the target is not empty: target delimiter, target,
/// few-shot delimiter), then the evaluated document's text. There is no separator after the description: lm-eval's
/// descriptions end in their own "\n\n".
/// </summary>
public static class FewshotContext
{
    /// <summary>The examples part alone (<c>get_context</c>).</summary>
    public static string Examples(IEnumerable<FewshotExample> shots, string targetDelimiter, string fewshotDelimiter)
    {
        var text = new StringBuilder();
        foreach (var shot in shots)
        {
            text.Append(shot.Text);
            if (shot.Target.Length == 0) continue;
            text.Append(targetDelimiter).Append(shot.Target).Append(fewshotDelimiter);
        }
        return text.ToString();
    }

    /// <summary>description + examples + the document's text.</summary>
    public static string Build(string description, IEnumerable<FewshotExample> shots, string targetDelimiter,
        string fewshotDelimiter, string documentText) =>
        description + Examples(shots, targetDelimiter, fewshotDelimiter) + documentText;
}
