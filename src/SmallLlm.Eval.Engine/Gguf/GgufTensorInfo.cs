namespace SmallLlm.Eval.Engine.Gguf;

/// <summary>One tensor's entry in a GGUF header. <paramref name="Shape"/> is ggml's order: the fastest-varying dimension first.</summary>
public sealed record GgufTensorInfo(string Name, long[] Shape, GgmlType Type, long Offset)
{
    public long Elements => Shape.Aggregate(1L, (a, b) => a * b);
    public long Bytes => Type.Bytes(Elements);
}
