namespace SmallLlm.Eval.Models;

/// <summary>
/// lm-evaluation-harness's <c>_encode_pair</c> rule, shared by every backend so that they score the same tokens:
/// trailing spaces of the context move into the continuation, context + continuation are encoded together, and the
/// continuation is what follows the context's own encoding.
/// </summary>
public static class ContinuationSplit
{
    /// <param name="encode">The backend's tokenizer (no BOS).</param>
    /// <param name="encodeContext">The same, possibly cached: contexts repeat across choices.</param>
    public static (int[] Context, int[] Continuation) Split(string context, string continuation,
        Func<string, int[]> encode, Func<string, int[]>? encodeContext = null)
    {
        encodeContext ??= encode;
        int spaces = context.Length - context.TrimEnd().Length;
        if (spaces > 0)
        {
            continuation = context[^spaces..] + continuation;
            context = context[..^spaces];
        }
        int[] whole = encode(context + continuation);
        int[] ctx = encodeContext(context);
        int[] cont = whole.Length > ctx.Length ? whole[ctx.Length..] : encodeContext(continuation);
        return (ctx, cont);
    }
}
