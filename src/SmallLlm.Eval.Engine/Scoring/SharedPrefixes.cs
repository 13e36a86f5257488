namespace SmallLlm.Eval.Engine.Scoring;

/// <summary>Contexts (by index) that start with the same <see cref="Length"/> tokens.</summary>
public sealed record PrefixGroup(int Length, int[] Members);

/// <summary>
/// Finds shared token prefixes among contexts by sorting them and comparing neighbours: in sorted order the common
/// prefix of a run of contexts is the smallest common prefix of adjacent pairs. A run grows while its saving, (members−1)
/// × prefix length tokens not recomputed, does not shrink, so a few-shot block shared by a subject wins over the one
/// instruction line shared by every subject. The prefix always leaves at least one token of each context to run on
/// top of it (that position predicts the continuation).
/// </summary>
public static class SharedPrefixes
{
    public static List<PrefixGroup> Find(IReadOnlyList<int[]> contexts, int minLength)
    {
        var groups = new List<PrefixGroup>();
        if (contexts.Count < 2 || minLength == int.MaxValue) return groups;
        minLength = Math.Max(1, minLength); // an empty prefix shares nothing
        var order = Enumerable.Range(0, contexts.Count).ToArray();
        Array.Sort(order, (a, b) => Compare(contexts[a], contexts[b]));

        var members = new List<int> { order[0] };
        int length = contexts[order[0]].Length - 1;
        void Close()
        {
            if (members.Count > 1 && length >= minLength) groups.Add(new PrefixGroup(length, [.. members]));
        }
        for (int i = 1; i < order.Length; i++)
        {
            int[] previous = contexts[order[i - 1]], next = contexts[order[i]];
            int joined = Math.Min(Math.Min(length, CommonPrefix(previous, next)), next.Length - 1);
            long before = (long)(members.Count - 1) * length, after = (long)members.Count * joined;
            if (joined >= minLength && after >= before)
            {
                members.Add(order[i]);
                length = joined;
                continue;
            }
            Close();
            members = [order[i]];
            length = next.Length - 1;
        }
        Close();
        return groups;
    }

    public static int CommonPrefix(ReadOnlySpan<int> a, ReadOnlySpan<int> b) => a.CommonPrefixLength(b);

    private static int Compare(int[] a, int[] b)
    {
        int n = Math.Min(a.Length, b.Length);
        for (int i = 0; i < n; i++)
            if (a[i] != b[i]) return a[i].CompareTo(b[i]);
        return a.Length.CompareTo(b.Length);
    }
}
