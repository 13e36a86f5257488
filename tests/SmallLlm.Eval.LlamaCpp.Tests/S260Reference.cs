namespace SmallLlm.Eval.LlamaCpp.Tests;

/// <summary>llama2.c's log-softmax for stories260K on BOS + 32 tokens (../shared/models/stories260K/reference/s260_33).</summary>
public sealed class S260Reference
{
    public int[] TokenIds { get; }
    /// <summary>[position][token]: row t is after feeding ids[0..t].</summary>
    public float[][] LogSoftmax { get; }

    public S260Reference()
    {
        string dir = SharedFiles.Get($"{SharedFiles.Stories}/reference/s260_33");
        TokenIds = File.ReadAllText(Path.Combine(dir, "token_ids.txt"))
            .Split([' ', ',', '\n', '\r', '\t'], StringSplitOptions.RemoveEmptyEntries).Select(int.Parse).ToArray();
        var bytes = File.ReadAllBytes(Path.Combine(dir, "logsoftmax.f32"));
        int n = TokenIds.Length, v = bytes.Length / 4 / n;
        LogSoftmax = Enumerable.Range(0, n).Select(t => Enumerable.Range(0, v).Select(j => BitConverter.ToSingle(bytes, (t * v + j) * 4)).ToArray()).ToArray();
    }
}
