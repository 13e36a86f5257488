using System.Text;
using LLama;
using LLama.Common;
using LLama.Exceptions;
using LLama.Native;
using SmallLlm.Eval.Engine;
using SmallLlm.Eval.Engine.Generation;
using SmallLlm.Eval.Engine.Gguf;
using SmallLlm.Eval.Engine.Scoring;
using SmallLlm.Eval.Primitives;

namespace SmallLlm.Eval.LlamaCpp;

/// <summary>Per-token log-probabilities of one continuation, and whether greedy decoding would have produced it.</summary>
public sealed record TokenScores(float[] TokenLogProbs, bool IsGreedy);

/// <summary>
/// A GGUF model run by llama.cpp, at the token level: the counterpart of the built-in engine's scorer and generator.
/// One context holds many sequences; each llama_decode call packs several of them (own sequence ids, logits only at
/// scored positions, shared prefixes decoded once and forked), and the KV cache is cleared between rounds.
/// </summary>
public sealed class LlamaCppModel : IDisposable
{
    private readonly LLamaWeights _weights;
    private readonly LLamaContext _context;
    private readonly SafeLLamaContextHandle _ctx;
    private readonly int _batchTokens;
    private readonly bool _parseSpecial;

    public LlamaCppOptions Options { get; }
    public string Path { get; }
    public int VocabSize { get; }
    public int ContextLength { get; }
    public int? BosId { get; }
    public int? EosId { get; }
    /// <summary>The GGUF's tokenizer.ggml.add_bos_token (llama.cpp's default for the vocabulary type when absent).</summary>
    public bool AddBos { get; }
    public long Parameters => (long)_weights.ParameterCount;
    /// <summary>Tokens through llama_decode so far.</summary>
    public long TokensProcessed { get; private set; }

    private LlamaCppModel(string path, LlamaCppOptions options, LLamaWeights weights, LLamaContext context, int batchTokens)
    {
        Path = path;
        Options = options;
        _weights = weights;
        _context = context;
        _ctx = context.NativeHandle;
        _batchTokens = batchTokens;
        var vocab = weights.Vocab;
        VocabSize = vocab.Count;
        ContextLength = weights.ContextSize;
        BosId = vocab.BOS is { } b ? (int)b : null;
        EosId = vocab.EOS is { } e ? (int)e : null;
        AddBos = vocab.ShouldAddBOS;
        _parseSpecial = vocab.Type == LLamaVocabType.BytePairEncoding;
    }

    public static LlamaCppModel Load(string path, LlamaCppOptions? options = null)
    {
        options ??= new LlamaCppOptions();
        GgufFile.Validate(path); // named errors for what llama.cpp would only log
        LlamaCppRuntime.EnsureLoaded();
        LlamaCppRuntime.ClearError();
        var probe = new ModelParams(path) { GpuLayerCount = 0, ContextSize = 0 };
        LLamaWeights weights;
        try { weights = LLamaWeights.LoadFromFile(probe); }
        catch (LoadWeightsFailedException)
        {
            throw new InvalidDataException($"{path}: llama.cpp cannot load this GGUF: {LlamaCppRuntime.LastError ?? "no reason given"}");
        }
        int ctxTrain = weights.ContextSize;
        // One KV stream per sequence (not unified): attention then spans each sequence's own cells, not every packed
        // sequence's, which keeps a packed batch linear in its sequences. Streams are bounded by a KV memory budget.
        long cellBytes = Math.Max(1, (long)weights.NativeHandle.LayerCount * 2 * weights.NativeHandle.KVHeadCount
            * (weights.EmbeddingSize / Math.Max(1, weights.NativeHandle.HeadCount)) * (options.Fast ? 2 : 4));
        int sequences = (int)Math.Clamp(options.KvCacheBytes / (cellBytes * ctxTrain), 1, options.MaxSequences);
        int batch = Math.Max(options.BatchTokens, ctxTrain);
        var p = new ModelParams(path)
        {
            GpuLayerCount = 0,
            ContextSize = (uint)(ctxTrain * sequences),
            BatchSize = (uint)batch,
            UBatchSize = (uint)Math.Min(batch, 512),
            SeqMax = (uint)sequences,
            Threads = options.Threads,
            BatchThreads = options.Threads,
            KVUnified = false,
        };
        if (!options.Fast)
        {
            p.TypeK = GGMLType.GGML_TYPE_F32;
            p.TypeV = GGMLType.GGML_TYPE_F32;
            p.FlashAttention = false;
        }
        var context = weights.CreateContext(p);
        return new LlamaCppModel(path, options with { MaxSequences = sequences }, weights, context, batch);
    }

    /// <summary>
    /// Token ids of <paramref name="text"/> with the GGUF's own vocabulary, no BOS. Special tokens' text is matched as
    /// our tokenizers do: a byte-level BPE vocabulary (tokenizer.json's) turns "&lt;|begin_of_text|&gt;" into its id, as
    /// transformers does; a SentencePiece one keeps "&lt;s&gt;" as text, as sentencepiece does.
    /// </summary>
    public int[] Tokenize(string text)
    {
        if (text.Length == 0) return [];
        var tokens = _weights.NativeHandle.Tokenize(text, false, _parseSpecial, Encoding.UTF8);
        var ids = new int[tokens.Length];
        for (int i = 0; i < ids.Length; i++) ids[i] = (int)tokens[i];
        return ids;
    }

    public string Decode(IReadOnlyList<int> tokens)
    {
        var decoder = new StreamingTokenDecoder(Encoding.UTF8, _weights);
        foreach (int t in tokens) decoder.Add((LLamaToken)t);
        return decoder.Read();
    }

    /// <summary>
    /// Log-probabilities of each request's continuation given its context (context must not be empty). Requests whose
    /// inputs share a long token prefix (the same context, or the same few-shot examples) are grouped: the prefix is
    /// decoded once in one sequence and forked into the others with the KV-cache sequence copy, then each request's
    /// remainder is decoded on top of it (<see cref="LlamaCppOptions.SharedPrefixTokens"/>).
    /// </summary>
    public IReadOnlyList<TokenScores> Loglikelihood(IReadOnlyList<ContinuationRequest> requests, Action<int, int>? progress = null)
    {
        var results = new TokenScores[requests.Count];
        for (int i = 0; i < requests.Count; i++)
        {
            var r = requests[i];
            if (r.Context.Length == 0) throw new ArgumentException($"request {i}: empty context (give at least BOS)");
            if (r.Context.Length + r.Continuation.Length - 1 > ContextLength)
                throw new ArgumentException($"request {i}: {r.Context.Length + r.Continuation.Length - 1} tokens exceed the model's context of {ContextLength}");
            CheckIds(r.Context, i);
            CheckIds(r.Continuation, i);
        }
        int done = 0;
        var round = new List<SharedPrefixGroup>();
        int sequences = 0, prefixTokens = 0, restTokens = 0;
        void Flush()
        {
            if (round.Count == 0) return;
            ScoreRound(requests, round, results);
            done += sequences;
            progress?.Invoke(done, requests.Count);
            round.Clear();
            sequences = prefixTokens = restTokens = 0;
        }
        foreach (var g in SharedPrefixGroup.Build(requests, Options.SharedPrefixTokens, Options.MaxSequences, _batchTokens))
        {
            if (sequences + g.Members.Count > Options.MaxSequences || prefixTokens + g.Prefix > _batchTokens
                || restTokens + g.RestTokens > _batchTokens) Flush();
            round.Add(g);
            sequences += g.Members.Count;
            prefixTokens += g.Prefix;
            restTokens += g.RestTokens;
        }
        Flush();
        return results;
    }

    /// <summary>
    /// One round: the groups' shared prefixes in one llama_decode (no logits), each copied from its first member's
    /// sequence to the others' (a copy of that KV stream), then every member's remainder in a second llama_decode with
    /// logits at the scored positions. Groups of one (or no shared prefix) only take part in the second call.
    /// </summary>
    private void ScoreRound(IReadOnlyList<ContinuationRequest> requests, List<SharedPrefixGroup> groups, TokenScores[] results)
    {
        try
        {
            var batch = new LLamaBatch();
            int seq = 0;
            foreach (var g in groups)
            {
                if (g.Prefix > 0)
                {
                    var first = requests[g.Members[0]].Context;
                    for (int p = 0; p < g.Prefix; p++) batch.Add((LLamaToken)first[p], p, (LLamaSeqId)seq, false);
                }
                seq += g.Members.Count;
            }
            if (batch.TokenCount > 0)
            {
                Decode(batch);
                seq = 0;
                foreach (var g in groups)
                {
                    for (int m = 1; g.Prefix > 0 && m < g.Members.Count; m++)
                        _ctx.MemorySequenceCopy((LLamaSeqId)seq, (LLamaSeqId)(seq + m), -1, -1); // whole stream: llama.cpp copies across streams only so
                    seq += g.Members.Count;
                }
                batch.Clear();
            }

            var rows = new List<(int Request, int[] LogitIndex)>();
            seq = 0;
            foreach (var g in groups)
                foreach (int i in g.Members)
                {
                    var r = requests[i];
                    int[] input = [.. r.Context, .. r.Continuation[..^1]];
                    int firstScored = r.Context.Length - 1; // the logits at this input position predict the first continuation token
                    var indices = new int[r.Continuation.Length];
                    for (int p = g.Prefix; p < input.Length; p++)
                    {
                        bool wantLogits = p >= firstScored;
                        int index = batch.Add((LLamaToken)input[p], p, (LLamaSeqId)seq, wantLogits);
                        if (wantLogits) indices[p - firstScored] = index;
                    }
                    rows.Add((i, indices));
                    seq++;
                }
            Decode(batch);
            foreach (var (i, logitIndex) in rows)
            {
                var cont = requests[i].Continuation;
                var lp = new float[cont.Length];
                bool greedy = true;
                for (int k = 0; k < cont.Length; k++)
                {
                    var logits = _ctx.GetLogitsIth(logitIndex[k]);
                    lp[k] = (float)LogSoftmaxAt(logits, cont[k], out int argmax);
                    greedy &= argmax == cont[k];
                }
                results[i] = new TokenScores(lp, greedy);
            }
        }
        finally { _ctx.MemoryClear(); }
    }

    /// <summary>
    /// Feeds <paramref name="tokens"/> (at most the context length) as one sequence and hands the logits of every
    /// position to <paramref name="onLogits"/> in order: position t's logits predict token t+1.
    /// </summary>
    public void ForEachLogits(IReadOnlyList<int> tokens, Action<int, ReadOnlySpan<float>> onLogits)
    {
        if (tokens.Count > ContextLength) throw new ArgumentException($"{tokens.Count} tokens exceed the model's context of {ContextLength}");
        var ids = tokens.ToArray();
        CheckIds(ids, 0);
        var batch = new LLamaBatch();
        var indices = new int[ids.Length];
        for (int p = 0; p < ids.Length; p++) indices[p] = batch.Add((LLamaToken)ids[p], p, LLamaSeqId.Zero, true);
        Decode(batch);
        for (int p = 0; p < ids.Length; p++) onLogits(p, _ctx.GetLogitsIth(indices[p]));
        _ctx.MemoryClear();
    }

    /// <summary>
    /// Feeds whole sequences, packed several per llama_decode, and hands the logits of every fed position to
    /// <paramref name="onLogits"/>(sequence, position, logits): position p's logits predict token p+1. A sequence feeds
    /// all its tokens with <paramref name="includeLast"/>, else all but the last (its last token is only predicted).
    /// </summary>
    public void ForEachLogits(IReadOnlyList<int[]> sequences, bool includeLast, Action<int, int, ReadOnlySpan<float>> onLogits)
    {
        var fed = new int[sequences.Count];
        for (int i = 0; i < sequences.Count; i++)
        {
            fed[i] = includeLast ? sequences[i].Length : sequences[i].Length - 1;
            if (fed[i] > ContextLength) throw new ArgumentException($"sequence {i}: {fed[i]} tokens to feed exceed the model's context of {ContextLength}");
            CheckIds(sequences[i], i);
        }
        var rows = new List<int>();
        int tokens = 0;
        void Flush()
        {
            if (rows.Count == 0) return;
            var batch = new LLamaBatch();
            var start = new int[rows.Count];
            try
            {
                for (int s = 0; s < rows.Count; s++)
                {
                    var seq = sequences[rows[s]];
                    start[s] = batch.TokenCount;
                    for (int p = 0; p < fed[rows[s]]; p++) batch.Add((LLamaToken)seq[p], p, (LLamaSeqId)s, true);
                }
                if (batch.TokenCount > 0) Decode(batch);
                for (int s = 0; s < rows.Count; s++)
                    for (int p = 0; p < fed[rows[s]]; p++) onLogits(rows[s], p, _ctx.GetLogitsIth(start[s] + p));
            }
            finally { _ctx.MemoryClear(); }
            rows.Clear();
            tokens = 0;
        }
        for (int i = 0; i < sequences.Count; i++)
        {
            if (rows.Count >= Options.MaxSequences || tokens + fed[i] > _batchTokens) Flush();
            rows.Add(i);
            tokens += fed[i];
        }
        Flush();
    }

    /// <summary>A token's text as the vocabulary holds it, control tokens included ("&lt;s&gt;"); bytes that are not
    /// UTF-8 on their own show as &lt;0xXX&gt;.</summary>
    public string TokenText(int id)
    {
        Span<byte> buffer = stackalloc byte[256];
        uint n = _weights.NativeHandle.TokenToSpan((LLamaToken)id, buffer, 0, true);
        var bytes = buffer[..(int)Math.Min(n, (uint)buffer.Length)];
        try { return new UTF8Encoding(false, true).GetString(bytes); }
        catch (DecoderFallbackException) { return string.Concat(bytes.ToArray().Select(b => $"<0x{b:X2}>")); }
    }

    /// <summary>Greedy or seeded sampling with a KV cache, the same sampler as the built-in engine.</summary>
    public GenerationResult Generate(IReadOnlyList<int> prompt, GenerationSettings settings)
    {
        if (prompt.Count == 0) throw new ArgumentException("the prompt is empty: give at least BOS");
        if (prompt.Count > ContextLength) throw new ArgumentException($"prompt of {prompt.Count} tokens exceeds the model's context of {ContextLength}");
        CheckIds([.. prompt], 0);
        var rng = new SeededRandom(settings.Seed);
        var output = new List<int>();
        var sw = System.Diagnostics.Stopwatch.StartNew();
        var batch = new LLamaBatch();
        for (int p = 0; p < prompt.Count; p++) batch.Add((LLamaToken)prompt[p], p, LLamaSeqId.Zero, p == prompt.Count - 1);
        int length = prompt.Count;
        Decode(batch);
        float[] logits = _ctx.GetLogitsIth(batch.TokenCount - 1).ToArray();
        double prefill = sw.Elapsed.TotalSeconds;
        sw.Restart();
        FinishReason finish;
        try
        {
            while (true)
            {
                if (output.Count >= settings.MaxNewTokens) { finish = FinishReason.MaxTokens; break; }
                int next = settings.Temperature <= 0 ? ArgMax.Of<float>(logits) : TokenGenerator.Sample(logits, settings, rng);
                if (settings.StopTokens.Contains(next)) { finish = FinishReason.StopToken; break; }
                output.Add(next);
                if (settings.ShouldStop?.Invoke(output) == true) { finish = FinishReason.StopCondition; break; }
                if (output.Count >= settings.MaxNewTokens) { finish = FinishReason.MaxTokens; break; }
                if (length >= ContextLength) { finish = FinishReason.ContextFull; break; }
                batch.Clear();
                batch.Add((LLamaToken)next, length++, LLamaSeqId.Zero, true);
                Decode(batch);
                logits = _ctx.GetLogitsIth(0).ToArray();
            }
        }
        finally { _ctx.MemoryClear(); }
        return new GenerationResult(output.ToArray(), finish, prefill, sw.Elapsed.TotalSeconds);
    }

    private void Decode(LLamaBatch batch)
    {
        var result = _ctx.Decode(batch);
        if (result != DecodeResult.Ok)
        {
            _ctx.MemoryClear();
            throw new InvalidOperationException($"llama_decode failed ({result}) on a batch of {batch.TokenCount} tokens");
        }
        TokensProcessed += batch.TokenCount;
    }

    private void CheckIds(int[] ids, int request)
    {
        for (int i = 0; i < ids.Length; i++)
            if ((uint)ids[i] >= (uint)VocabSize)
                throw new ArgumentException($"request {request}: token id {ids[i]} at position {i} is outside the vocabulary [0, {VocabSize})");
    }

    /// <summary>log softmax(logits)[target] in double precision, and the first index of the largest logit.</summary>
    public static double LogSoftmaxAt(ReadOnlySpan<float> logits, int target, out int argmax)
    {
        argmax = ArgMax.Of(logits);
        float max = logits[argmax];
        double sum = 0;
        for (int i = 0; i < logits.Length; i++) sum += Math.Exp(logits[i] - max);
        return logits[target] - max - Math.Log(sum);
    }

    public void Dispose()
    {
        _context.Dispose();
        _weights.Dispose();
    }
}
