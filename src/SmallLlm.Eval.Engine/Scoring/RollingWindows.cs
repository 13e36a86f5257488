namespace SmallLlm.Eval.Engine.Scoring;

/// <summary>
/// Splits a long token sequence into scoring windows that fit the model's context, as lm-evaluation-harness's
/// get_rolling_token_windows + make_disjoint_window do: every token is predicted exactly once, each window with as much
/// preceding context as fits. With a stride smaller than the context, windows overlap and score only their new tokens.
/// </summary>
public static class RollingWindows
{
    public static List<ContinuationRequest> Build(IReadOnlyList<int> tokens, int prefixToken, int maxLength, int? stride = null)
    {
        if (maxLength < 1) throw new ArgumentException("context length must be at least 1 token");
        int step = stride ?? maxLength;
        if (step < 1 || step > maxLength) throw new ArgumentException($"stride must be in [1, {maxLength}], got {step}");
        var full = new int[tokens.Count + 1];
        full[0] = prefixToken;
        for (int i = 0; i < tokens.Count; i++) full[i + 1] = tokens[i];

        var windows = new List<ContinuationRequest>();
        int predicted = 0; // tokens of `tokens` scored so far; full index = token index + 1
        while (predicted < tokens.Count)
        {
            int count = Math.Min(tokens.Count - predicted, predicted == 0 ? maxLength : step);
            int end = predicted + count + 1;                 // exclusive end in `full` of the scored tokens
            int inputStart = Math.Max(0, end - 1 - maxLength); // the model sees full[inputStart .. end-2]
            int firstScored = predicted + 1;
            windows.Add(new ContinuationRequest(full[inputStart..firstScored], full[firstScored..end]));
            predicted += count;
        }
        return windows;
    }
}
