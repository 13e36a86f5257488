using System.Text.Json;
using SmallLlm.Eval.Engine;
using SmallLlm.Eval.Engine.Checkpoints;
using SmallLlm.Eval.Engine.Training;
using SmallLlm.Eval.Models;
using SmallLlm.Eval.Primitives;
using SmallLlm.Eval.Tokenizers;
using static TorchSharp.torch;

namespace SmallLlm.Eval.Training;

/// <summary>What a finished (or interrupted) run left: the folder, its last checkpoint, the steps and the last loss.</summary>
public sealed record TrainingResult(string Output, string Checkpoint, int Steps, long Tokens, double? LastLoss, bool Interrupted,
    long Parameters, string Initialization);

/// <summary>
/// `smalleval train`: checks the request, tokenizes the data into one stream, builds or loads the model, and runs the
/// engine's <see cref="Trainer"/> with checkpoints (step-N/, final/), the step log and settings.json in the output folder.
/// </summary>
public static class TrainingJob
{
    public const string SettingsFile = "settings.json";
    public const string FinalFolder = "final";
    private const string TokenizerFolder = ".tokenizer"; // hidden: sweep takes every visible sub-folder for a checkpoint

    public static TrainingResult Run(TrainingRequest r, Action<TrainingStep, int> progress, Action<string> say, double peakGflops, CancellationToken cancel)
    {
        if (r.Init is not null && (r.Shape is not null || r.ConfigPath is not null))
            throw new ArgumentException("--init starts from a checkpoint's own shape: it cannot be combined with --shape or --config");
        if (r.Init is null && (r.Shape is null) == (r.ConfigPath is null))
            throw new ArgumentException("give one of --shape NAME, --config config.json or --init MODEL");
        if (r.Batch < 1 || r.GradAccum < 1 || r.Sequence < 1) throw new ArgumentException("--batch, --grad-accum and --seq must be >= 1");
        if ((r.Steps is null) == (r.Tokens is null)) throw new ArgumentException("give one of --steps N or --tokens N");
        CheckOutput(r);

        string tokenizerName = r.Tokenizer ?? (r.Init is not null ? null : DefaultTokenizer(r.Shape)) ?? "";
        var tokenizer = r.Init is not null ? LocalModelLoader.ResolveTokenizer(r.Init, r.Tokenizer) : TokenizerCatalog.Resolve(tokenizerName);
        var config = ModelConfig(r, tokenizer);
        if (tokenizer.VocabSize > config.VocabSize)
            throw new ArgumentException($"tokenizer {tokenizer.Name} has {tokenizer.VocabSize:N0} ids but the model's vocab_size is {config.VocabSize:N0}: ids past it have no embedding");
        if (r.Sequence > config.MaxPositionEmbeddings)
            throw new ArgumentException($"--seq {r.Sequence} exceeds the model's context of {config.MaxPositionEmbeddings} positions (max_position_embeddings)");

        say($"tokenizing {r.Data} with {tokenizer.Name}");
        var data = TrainingData.Read(r.Data, tokenizer);
        int rowsPerStep = r.Batch * r.GradAccum;
        var batches = new TrainingBatches(data.Tokens, rowsPerStep, r.Sequence, r.Order, (ulong)r.Seed);
        long tokensPerStep = (long)rowsPerStep * r.Sequence;
        int steps = r.Steps ?? checked((int)((r.Tokens!.Value + tokensPerStep - 1) / tokensPerStep));
        if (steps < 1) throw new ArgumentException("--steps/--tokens must give at least one step");
        var schedule = new LearningRateSchedule(r.Schedule, r.LearningRate, r.MinLearningRate ?? r.LearningRate / 10, r.Warmup, steps);

        Directory.CreateDirectory(r.Output);
        string resumeFrom = r.Resume ? TrainingCheckpoint.Latest(r.Output) ?? "" : "";
        if (r.Resume) CheckSameData(r.Output, data.Sha256);
        string initDescription = r.Init is not null ? $"from {r.Init}" : TrainingInitialization.Describe(config, r.Seed);
        var tensors = resumeFrom.Length > 0 ? Take(HuggingFaceCheckpoint.Load(resumeFrom, ModelDType.Float32))
            : r.Init is not null ? Take(CheckpointLoader.Load(r.Init, ModelDType.Float32))
            : TrainingInitialization.Create(config, r.Seed);
        using var model = new TrainableLlama(config, tensors);
        using var optimizer = new AdamW(model.Parameters, r.Beta1, r.Beta2, r.Eps, r.WeightDecay);
        var start = new TrainingCheckpoint.State(0, 0);
        if (resumeFrom.Length > 0)
        {
            start = TrainingCheckpoint.ReadState(resumeFrom);
            TrainingCheckpoint.RestoreOptimizer(resumeFrom, optimizer, start.Step);
            say($"resuming {resumeFrom} at step {start.Step}");
        }
        else if (!r.Resume)
        {
            WriteSettings(r, config, model.ParameterCount, tokenizer, data, steps, tokensPerStep, initDescription);
            WriteTokenizer(r.Output, r.Init is not null && r.Tokenizer is null ? TokenizerOf(r.Init) : tokenizerName);
        }
        var tokenizerFiles = Directory.GetFiles(Path.Combine(r.Output, TokenizerFolder));
        string lastCheckpoint = resumeFrom.Length > 0 ? resumeFrom : "(none yet)";
        void Save(TrainingCheckpoint.State s)
        {
            string dir = Path.Combine(r.Output, $"step-{s.Step}");
            TrainingCheckpoint.Save(dir, model, optimizer, s, tokenizerFiles);
            lastCheckpoint = dir;
        }

        using var log = new TrainingLog(r.Output, start.Step);
        double? lastLoss = null;
        var plan = new TrainingPlan(steps, r.Batch, r.GradAccum, schedule, r.Clip, r.SaveEvery);
        TrainingOutcome outcome;
        try
        {
            outcome = Trainer.Run(model, optimizer, batches, plan, start, s =>
            {
                log.Append(s);
                lastLoss = s.Loss;
                progress(s, steps);
            }, Save, peakGflops, cancel);
        }
        catch (TrainingDivergedException e)
        {
            throw new InvalidDataException($"{e.Message}; the last good checkpoint is {lastCheckpoint}", e);
        }
        if (outcome.Interrupted)
            return new TrainingResult(r.Output, lastCheckpoint, outcome.Steps, outcome.Tokens, lastLoss, true, model.ParameterCount, initDescription);
        string final = Path.Combine(r.Output, FinalFolder);
        TrainingCheckpoint.Save(final, model, optimizer, new TrainingCheckpoint.State(outcome.Steps, outcome.Tokens), tokenizerFiles);
        return new TrainingResult(r.Output, final, outcome.Steps, outcome.Tokens, lastLoss, false, model.ParameterCount, initDescription);
    }

    private static void CheckOutput(TrainingRequest r)
    {
        bool used = Directory.Exists(r.Output) && Directory.EnumerateFileSystemEntries(r.Output).Any();
        if (r.Resume)
        {
            if (!File.Exists(Path.Combine(r.Output, SettingsFile)))
                throw new ArgumentException($"--resume {r.Output}: not a training run folder (no {SettingsFile})");
            if (Directory.Exists(Path.Combine(r.Output, FinalFolder)))
                throw new ArgumentException($"--resume {r.Output}: the run is already finished ({FinalFolder}/ exists)");
            return;
        }
        if (used && !r.Force)
            throw new ArgumentException($"{r.Output} already exists and is not empty: pass --force to start over there or --resume {r.Output} to continue it");
        if (used) Directory.Delete(r.Output, recursive: true);
    }

    private static string? DefaultTokenizer(string? shape) =>
        shape?.Equals("stories260K", StringComparison.OrdinalIgnoreCase) == true ? "tok512" : shape is null ? null : "llama2";

    private static LlamaConfig ModelConfig(TrainingRequest r, ITextTokenizer tokenizer)
    {
        if (r.Init is not null) return CheckpointLoader.ReadConfig(r.Init);
        if (r.Shape is not null) return TrainingShapes.Get(r.Shape, r.Vocab ?? tokenizer.VocabSize, tokenizer.BosId, tokenizer.EosId);
        var config = HuggingFaceConfig.Read(r.ConfigPath!);
        return r.Vocab is int v ? (config with { VocabSize = v }).Validated(r.ConfigPath!) : config;
    }

    private static string TokenizerOf(string init) =>
        Engine.BundledModels.BundledModel.Resolve(init) is { } bundled ? bundled.TokenizerName
        : Directory.Exists(init) ? init : Path.GetDirectoryName(Path.GetFullPath(init))!;

    private static Dictionary<string, Tensor> Take(LlamaWeights weights)
    {
        var names = weights.Tensors.Keys.ToList();
        var taken = names.ToDictionary(n => n, weights.Take);
        weights.Dispose();
        return taken;
    }

    private static void WriteTokenizer(string output, string nameOrPath)
    {
        var (file, bytes) = TokenizerFiles.For(nameOrPath);
        Directory.CreateDirectory(Path.Combine(output, TokenizerFolder));
        AtomicFile.WriteBytes(Path.Combine(output, TokenizerFolder, file), bytes);
    }

    private static void WriteSettings(TrainingRequest r, LlamaConfig config, long parameters, ITextTokenizer tokenizer, TrainingData data,
        int steps, long tokensPerStep, string init)
    {
        var settings = new
        {
            arguments = r.Arguments,
            request = r,
            initialization = init,
            parameters,
            config = new { config.HiddenSize, config.IntermediateSize, config.NumLayers, config.NumHeads, config.NumKeyValueHeads, config.VocabSize, config.MaxPositionEmbeddings, config.TieWordEmbeddings },
            tokenizer = tokenizer.Name,
            data = new { path = r.Data, files = data.Files.Count, bytes = data.Bytes, tokens = data.Tokens.Length, sha256 = data.Sha256 },
            order = r.Order.ToString().ToLowerInvariant(),
            seed = r.Seed,
            steps,
            tokens_per_step = tokensPerStep,
            optimizer = new { name = "AdamW (torch.optim.AdamW semantics)", lr = r.LearningRate, min_lr = r.MinLearningRate ?? r.LearningRate / 10, warmup = r.Warmup, schedule = r.Schedule.ToString().ToLowerInvariant(), weight_decay = r.WeightDecay, betas = new[] { r.Beta1, r.Beta2 }, eps = r.Eps, clip = r.Clip, batch = r.Batch, grad_accum = r.GradAccum, seq = r.Sequence },
            dtype = "fp32",
        };
        AtomicFile.WriteText(Path.Combine(r.Output, SettingsFile), JsonSerializer.Serialize(settings, SettingsJson));
    }

    private static readonly JsonSerializerOptions SettingsJson = new() { WriteIndented = true, Converters = { new System.Text.Json.Serialization.JsonStringEnumConverter() } };

    /// <summary>The request a run folder was started with (settings.json), to continue it with --resume.</summary>
    public static TrainingRequest SavedRequest(string output)
    {
        string path = Path.Combine(output, SettingsFile);
        if (!File.Exists(path)) throw new ArgumentException($"--resume {output}: not a training run folder (no {SettingsFile})");
        using var doc = JsonDocument.Parse(File.ReadAllText(path));
        if (!doc.RootElement.TryGetProperty("request", out var request))
            throw new InvalidDataException($"{path}: no 'request' field: not written by smalleval train");
        return request.Deserialize<TrainingRequest>(SettingsJson)! with { Output = output, Resume = true, Force = false };
    }

    private static void CheckSameData(string output, string sha256)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(output, SettingsFile)));
        string? saved = doc.RootElement.GetProperty("data").GetProperty("sha256").GetString();
        if (saved != sha256)
            throw new InvalidDataException($"--resume {output}: the training data changed since the run started (sha256 {sha256}, the run recorded {saved})");
    }
}
