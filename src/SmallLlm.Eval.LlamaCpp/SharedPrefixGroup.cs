using SmallLlm.Eval.Engine.Scoring;

namespace SmallLlm.Eval.LlamaCpp;

/// <summary>
/// Requests scored on one shared prefix: the first <see cref="Prefix"/> tokens of every member's context are the same
/// and none of them is a scored position, so they are decoded once and forked (0: no sharing, each member alone).
/// </summary>
internal sealed record SharedPrefixGroup(List<int> Members, int Prefix, int RestTokens)
{
    /// <summary>
    /// Groups requests by common context prefix: sorted by context, neighbours join while the group's common prefix
    /// stays at least <paramref name="minPrefix"/> tokens and the tokens saved ((members - 1) × prefix) do not drop.
    /// A group never has more than <paramref name="maxMembers"/> members nor more than <paramref name="maxRestTokens"/>
    /// tokens after its prefix. <paramref name="minPrefix"/> 0: every request alone, in the given order.
    /// </summary>
    public static IEnumerable<SharedPrefixGroup> Build(IReadOnlyList<ContinuationRequest> requests, int minPrefix, int maxMembers, int maxRestTokens)
    {
        static int Input(ContinuationRequest r) => r.Context.Length + r.Continuation.Length - 1;
        if (minPrefix <= 0 || maxMembers < 2)
        {
            for (int i = 0; i < requests.Count; i++) yield return new SharedPrefixGroup([i], 0, Input(requests[i]));
            yield break;
        }
        var order = Enumerable.Range(0, requests.Count)
            .OrderBy(i => requests[i].Context, Comparer<int[]>.Create((a, b) => a.AsSpan().SequenceCompareTo(b)))
            .ToList();
        if (order.Count == 0) yield break;
        var members = new List<int> { order[0] };
        int shared = requests[order[0]].Context.Length - 1; // positions before the first scored one
        long total = Input(requests[order[0]]);
        for (int j = 1; j < order.Count; j++)
        {
            var r = requests[order[j]];
            int lcp = requests[members[^1]].Context.AsSpan().CommonPrefixLength(r.Context);
            int next = Math.Min(shared, Math.Min(lcp, r.Context.Length - 1));
            int k = members.Count;
            bool join = k < maxMembers && next >= minPrefix && (long)k * next >= (long)(k - 1) * shared
                && total + Input(r) - (long)(k + 1) * next <= maxRestTokens;
            if (join)
            {
                members.Add(order[j]);
                shared = next;
                total += Input(r);
                continue;
            }
            yield return Of(members, shared, total);
            members = [order[j]];
            shared = r.Context.Length - 1;
            total = Input(r);
        }
        yield return Of(members, shared, total);
    }

    private static SharedPrefixGroup Of(List<int> members, int shared, long total)
    {
        int prefix = members.Count > 1 ? shared : 0;
        return new SharedPrefixGroup(members, prefix, (int)(total - (long)members.Count * prefix));
    }
}
