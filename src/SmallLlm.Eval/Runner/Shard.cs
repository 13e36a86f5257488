namespace SmallLlm.Eval.Runner;

/// <summary>Shard <see cref="Index"/> of <see cref="Count"/> (1-based): the <see cref="Index"/>-th contiguous block of
/// every task's requests, which follow document order, so a shard is a block of documents. The plan is
/// deterministic (data, settings, tokenizer), so every machine cuts the same blocks.</summary>
public sealed record Shard(int Index, int Count)
{
    public static Shard Parse(string text)
    {
        var parts = text.Split('/');
        if (parts.Length != 2 || !int.TryParse(parts[0], out int i) || !int.TryParse(parts[1], out int n) || n < 1 || i < 1 || i > n)
            throw new ArgumentException($"--shard '{text}': expected I/N with 1 <= I <= N, e.g. 2/3");
        return new Shard(i, n);
    }

    /// <summary>Requests [From, To) belong to this shard. A cut never separates requests that share a context (the
    /// choices of one document): the engine scores those together, and splitting them would change the rounding.</summary>
    public (int From, int To) Block(IReadOnlyList<Requests.ModelRequest> requests)
    {
        int Cut(int k)
        {
            int b = (int)((long)requests.Count * k / Count);
            while (b > 0 && b < requests.Count && requests[b] is Requests.LoglikelihoodRequest x
                   && requests[b - 1] is Requests.LoglikelihoodRequest y && x.Context == y.Context) b++;
            return b;
        }
        return (Cut(Index - 1), Cut(Index));
    }

    public override string ToString() => $"{Index}/{Count}";
}
