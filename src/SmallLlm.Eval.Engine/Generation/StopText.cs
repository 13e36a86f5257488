namespace SmallLlm.Eval.Engine.Generation;

/// <summary>Where the first of several stop strings starts in a generated text (-1: none); empty strings never match.</summary>
public static class StopText
{
    public static int IndexOf(string text, IReadOnlyList<string> stops)
    {
        int best = -1;
        foreach (var s in stops)
        {
            if (s.Length == 0) continue;
            int i = text.IndexOf(s, StringComparison.Ordinal);
            if (i >= 0 && (best < 0 || i < best)) best = i;
        }
        return best;
    }
}
