namespace SmallLlm.Eval.Tokenizers.Compression;

/// <summary>Counts for one file (or a sum of files): tokens per tokenizer, in the order the tokenizers were given.</summary>
public sealed class FileCounts(int tokenizers)
{
    public long Bytes;
    public long Characters;
    public long Words;
    public long InvalidSequences;
    public long ForcedCuts;
    public readonly long[] Tokens = new long[tokenizers];

    public void Add(FileCounts other)
    {
        Bytes += other.Bytes;
        Characters += other.Characters;
        Words += other.Words;
        InvalidSequences += other.InvalidSequences;
        ForcedCuts += other.ForcedCuts;
        for (int i = 0; i < Tokens.Length; i++) Tokens[i] += other.Tokens[i];
    }
}
