using System.Collections.Concurrent;
using System.Diagnostics;

namespace SmallLlm.Eval.Tokenizers.Compression;

/// <summary>
/// Counts bytes, characters, words and tokens (no BOS/EOS) of corpus files for several tokenizers. Files stream in
/// pieces cut where no token can span the cut, so a 1 GB file never sits in memory whole; pieces are counted on all
/// cores in parallel.
/// </summary>
public sealed class CorpusCounter(IReadOnlyList<ITextTokenizer> tokenizers, int? degreeOfParallelism = null, int chunkChars = 1 << 20)
{
    private readonly int _workers = Math.Max(1, degreeOfParallelism ?? Environment.ProcessorCount);

    public IReadOnlyList<ITextTokenizer> Tokenizers => tokenizers;

    /// <summary>True when no token of any of the tokenizers can span text[index - 1] | text[index].</summary>
    public bool IsSafeCut(string text, int index)
    {
        foreach (var t in tokenizers)
            if (t is not ITextContinuationTokenizer c || !c.IsSafeCut(text, index)) return false;
        return true;
    }

    public CompressionReport Count(IReadOnlyList<string> corpusPaths, IProgress<CountProgress>? progress = null, CancellationToken cancel = default)
    {
        var (files, skipped) = CorpusEnumerator.Expand(corpusPaths);
        var counts = files.Select(_ => new FileCounts(tokenizers.Count)).ToArray();
        var locks = files.Select(_ => new object()).ToArray();
        long totalBytes = files.Sum(f => new FileInfo(f.Path).Length);
        long doneBytes = 0;
        int doneFiles = 0;
        var clock = Stopwatch.StartNew();
        var failures = new ConcurrentQueue<SkippedFile>();

        // Bounded queue: the reader stays at most a few pieces ahead of the counting threads.
        using var queue = new BlockingCollection<(int File, TextChunk Chunk, bool Last)>(boundedCapacity: _workers * 2);
        var reader = Task.Run(() =>
        {
            try
            {
                var chunker = new Utf8ChunkReader(IsSafeCut, chunkChars);
                for (int f = 0; f < files.Count && !cancel.IsCancellationRequested; f++)
                {
                    try
                    {
                        using var stream = new FileStream(files[f].Path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);
                        TextChunk? previous = null;
                        foreach (var chunk in chunker.Read(stream))
                        {
                            if (previous != null) queue.Add((f, previous, false), cancel);
                            previous = chunk;
                        }
                        queue.Add((f, previous!, true), cancel);
                    }
                    catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                    {
                        failures.Enqueue(new SkippedFile(files[f].Path, $"unreadable: {e.Message}"));
                        counts[f] = new FileCounts(tokenizers.Count);
                        Interlocked.Increment(ref doneFiles);
                    }
                }
            }
            finally { queue.CompleteAdding(); }
        }, cancel);

        var workers = Enumerable.Range(0, _workers).Select(_ => Task.Run(() =>
        {
            foreach (var (f, chunk, last) in queue.GetConsumingEnumerable(cancel))
            {
                var piece = new FileCounts(tokenizers.Count)
                {
                    Bytes = chunk.Bytes,
                    Characters = TextStats.CountCharacters(chunk.Text),
                    // Pieces start after a newline, so no word spans two pieces.
                    Words = TextStats.CountWords(chunk.Text),
                    InvalidSequences = chunk.InvalidSequences,
                    ForcedCuts = chunk.ForcedCut ? 1 : 0,
                };
                for (int t = 0; t < tokenizers.Count; t++)
                    piece.Tokens[t] = chunk.Index == 0 || tokenizers[t] is not ITextContinuationTokenizer c
                        ? tokenizers[t].CountTokens(chunk.Text)
                        : c.CountContinuationTokens(chunk.Text);
                lock (locks[f]) counts[f].Add(piece);
                long done = Interlocked.Add(ref doneBytes, chunk.Bytes);
                int filesDone = last ? Interlocked.Increment(ref doneFiles) : Volatile.Read(ref doneFiles);
                progress?.Report(new CountProgress(done, totalBytes, filesDone, files.Count, clock.Elapsed));
            }
        }, cancel)).ToArray();

        Task.WaitAll([reader, .. workers], cancel);
        var unreadable = failures.Select(s => s.Path).ToHashSet();
        var kept = files.Select((f, i) => (f, i)).Where(x => !unreadable.Contains(x.f.Path)).ToList();
        return new CompressionReport(
            tokenizers.Select(t => t.Name).ToArray(),
            corpusPaths.ToArray(),
            kept.Select(x => new FileRow(x.f, counts[x.i])).ToArray(),
            [.. skipped, .. failures],
            clock.Elapsed);
    }
}
