namespace SmallLlm.Eval.Tokenizers.Compression;

public readonly record struct CountProgress(long BytesDone, long BytesTotal, int FilesDone, int FilesTotal, TimeSpan Elapsed)
{
    public double MegabytesPerSecond => Elapsed.TotalSeconds > 0 ? BytesDone / 1e6 / Elapsed.TotalSeconds : 0;
}
