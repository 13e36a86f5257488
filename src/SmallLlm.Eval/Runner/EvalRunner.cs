using System.Diagnostics;
using SmallLlm.Eval.Engine.Hardware;
using SmallLlm.Eval.Models;
using SmallLlm.Eval.Requests;
using SmallLlm.Eval.Results;
using SmallLlm.Eval.Tasks;

namespace SmallLlm.Eval.Runner;

/// <summary>
/// Runs tasks against a model: plan (documents → requests), execute (batched, deduplicated and cached by the model
/// wrapper), score, and write the result and per-sample files atomically. A shard of a run (<see cref="RunShard"/>) is
/// the same plan and the same execution over a block of the requests, through the same wrapper, so Ctrl-C,
/// --allow-nonfinite, progress and metering behave alike sharded or not; scoring waits for the merge.
/// </summary>
public sealed class EvalRunner
{
    private readonly ILanguageModel _model;
    private readonly Func<string, IProgressSink> _progressFor;
    private readonly bool _allowNonFinite;
    private readonly MeteredLanguageModel _metered;
    private readonly CachingLanguageModel _cached;

    public EvalRunner(ILanguageModel model, RequestCache? cache, Func<string, IProgressSink> progressFor, int commitEvery = 512,
        bool allowNonFinite = false, CancellationToken interrupt = default)
    {
        _model = model;
        _progressFor = progressFor;
        _allowNonFinite = allowNonFinite;
        _metered = new MeteredLanguageModel(model); // inside the cache: only computed answers are timed
        _cached = new CachingLanguageModel(_metered, cache, commitEvery, allowNonFinite, interrupt);
    }

    /// <summary>Runs one task and writes <c>&lt;runDir&gt;/&lt;task&gt;.json</c> and its samples.</summary>
    public TaskResult Run(IEvalTask task, TaskSettings settings, string runDir)
    {
        var started = DateTime.UtcNow;
        var clock = Stopwatch.StartNew();
        double modelBefore = _metered.ModelTime.Elapsed.TotalSeconds;
        long tokensBefore = _model.TokensProcessed;
        int reusedBefore = _cached.Reused, computedBefore = _cached.Computed, nonFiniteBefore = _cached.NonFinite;

        var plan = task.Plan(_cached, settings);
        // A kind that does not build chat prompts would silently send plain ones.
        if (settings.Chat is not null && !plan.Settings.ContainsKey("chat_template_sha256"))
            throw new ArgumentException($"{task.Name}: --apply-chat-template is not supported by this task's kind (multiple_choice and generate_until tasks support it)");
        var responses = Execute(plan.Requests, _progressFor(task.Name));
        var scores = plan.Score(responses);

        double wall = clock.Elapsed.TotalSeconds;
        double modelSeconds = _metered.ModelTime.Elapsed.TotalSeconds - modelBefore;
        long tokens = _model.TokensProcessed - tokensBefore;
        var id = _model.Identity;
        // Data read from elsewhere is named in the result (its hash is data_sha256), whatever the task records itself.
        var recorded = settings.DataDir is null || plan.Settings.ContainsKey("data_dir") ? plan.Settings
            : new Dictionary<string, object?>(plan.Settings) { ["data_dir"] = Path.GetFullPath(settings.DataDir) };
        int nonFinite = _cached.NonFinite - nonFiniteBefore;
        var counts = new Dictionary<string, long>(scores.Counts) { ["documents"] = plan.Documents, ["requests"] = plan.Requests.Count };
        var warnings = plan.Warnings;
        if (_allowNonFinite)
        {
            counts["nonfinite_scores"] = nonFinite;
            if (nonFinite > 0)
                warnings = [$"{nonFinite} request(s) got NaN or infinite scores from the model; they are recorded as such (--allow-nonfinite) and the metrics here are not trustworthy", .. warnings];
        }
        var result = new TaskResult
        {
            Task = new TaskInfo(task.Name, task.Version, plan.DataSha256, recorded),
            Model = new ModelInfo(id.Name, id.Path, id.WeightsSha256, id.DType, id.Parameters, _model.ContextLength, id.Tokenizer, id.AddBos, id.RollingStride,
                id.Backend, id.BackendSettings, _model.Description.VocabSize),
            Harness = HarnessVersion.Current,
            Seed = settings.Seed,
            Metrics = scores.Metrics,
            MetricDeclarations = scores.Declarations,
            Breakdown = scores.Breakdown,
            Counts = counts,
            ShotsHistogram = scores.ShotsHistogram,
            Warnings = warnings,
            SamplesFile = task.Name + ".samples.jsonl",
            Timing = new TimingInfo(started, wall, modelSeconds, tokens, modelSeconds > 0 ? tokens / modelSeconds : 0,
                plan.Requests.Count, _cached.Computed - computedBefore, _cached.Reused - reusedBefore),
            Machine = Machine(_model.Description),
        };
        ResultFiles.Write(runDir, result, scores.Samples);
        return result;
    }

    /// <summary>Plans the whole task (so every shard cuts the same blocks) and computes only <paramref name="shard"/>'s
    /// block of its requests into the request cache.</summary>
    public ShardTaskPlan RunShard(IEvalTask task, TaskSettings settings, Shard shard, TextWriter log)
    {
        var plan = task.Plan(_cached, settings);
        var (from, to) = shard.Block(plan.Requests);
        Execute(plan.Requests.Skip(from).Take(to - from).ToList(), _progressFor(task.Name));
        log.WriteLine($"shard {shard}: {task.Name}: requests {from}..{to - 1} of {plan.Requests.Count} computed");
        return new ShardTaskPlan(task.Name, task.Version, plan.DataSha256, settings, plan.Requests.Count, ShardRun.PlanHash(plan.Requests));
    }

    private static MachineInfo Machine(ModelDescription description)
    {
        var cpu = CpuFeatures.Current;
        return new MachineInfo(cpu.ModelName, cpu.Flags, cpu.NativeBf16, cpu.AvailableCores, EngineThreads.Threads,
            EngineThreads.WaitPolicy, description.DTypeRequested, description.DTypeReason);
    }

    /// <summary>Sends each kind of request to the model in one batched call, and puts the answers back in order.</summary>
    private IReadOnlyList<ModelResponse> Execute(IReadOnlyList<ModelRequest> requests, IProgressSink progress)
    {
        var responses = new ModelResponse[requests.Count];
        void Dispatch<TReq, TResp>(Func<IReadOnlyList<TReq>, IProgressSink, IReadOnlyList<TResp>> call)
            where TReq : ModelRequest where TResp : ModelResponse
        {
            var indices = Enumerable.Range(0, requests.Count).Where(i => requests[i] is TReq).ToList();
            if (indices.Count == 0) return;
            var answers = call(indices.Select(i => (TReq)requests[i]).ToList(), progress);
            for (int j = 0; j < indices.Count; j++) responses[indices[j]] = answers[j];
        }
        Dispatch<LoglikelihoodRequest, LoglikelihoodResponse>(_cached.Loglikelihood);
        Dispatch<RollingLoglikelihoodRequest, RollingLoglikelihoodResponse>(_cached.LoglikelihoodRolling);
        Dispatch<GenerateRequest, GenerateResponse>(_cached.GenerateUntil);
        return responses;
    }
}
