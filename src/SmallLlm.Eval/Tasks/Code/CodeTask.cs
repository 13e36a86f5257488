using System.Text.Json.Nodes;
using SmallLlm.Eval.Models;
using SmallLlm.Eval.Requests;
using SmallLlm.Eval.Tasks.Data;

namespace SmallLlm.Eval.Tasks.Code;

/// <summary>
/// Code completion (HumanEval, MBPP): the model completes each prompt until a stop sequence, greedily or as n samples at
/// a temperature; with <c>--allow-code-execution</c> each completion runs against the problem's tests in a
/// <see cref="PythonSandbox"/> and pass@k is reported. Always reported, because they still move for models whose
/// pass@1 is 0: the canonical solution's bits per byte given the prompt, and exact match of the first generated line.
/// Options (task options or definition fields): n, temperature, max_tokens, timeout_s, memory_mb, python,
/// allow_code_execution (options only: running model-written code is never a task default).
/// </summary>
public sealed class CodeTask(TaskDefinition definition) : IEvalTask
{
    public string Name => definition.Name;
    public string Version => definition.Version;
    public string Description => definition.Description;

    private string Format => definition.String("format");

    private string? Option(TaskSettings s, string name) =>
        s.Options.TryGetValue(name, out var v) ? v : definition.Fields[name] is JsonValue j ? j.ToString() : null;

    private double Number(TaskSettings s, string name, double fallback)
    {
        string? v = Option(s, name);
        if (v is null) return fallback;
        return double.TryParse(v, System.Globalization.CultureInfo.InvariantCulture, out var d) ? d
            : throw new ArgumentException($"{Name}: option {name} must be a number, got '{v}'");
    }

    /// <summary>The command line's consent (running code where no isolation works needs its own flag); consent given
    /// as a task option (a config file's, say) is an error, not ignored.</summary>
    private ExecutionPolicy Execution(TaskSettings s)
    {
        foreach (var name in s.Options.Keys)
            if (ExecutionPolicy.Misplaced(name, $"{Name}: option") is string misplaced) throw new ArgumentException(misplaced);
        return s.Execution;
    }

    private (List<CodeProblem> Problems, DataIssues Issues, string Path) Load(TaskSettings settings)
    {
        var issues = new DataIssues(settings.Strict);
        string path = settings.DataDir is not null
            ? Path.Combine(settings.DataDir, Path.GetFileName(definition.String("data"))) : definition.DataPath("data", null);
        List<CodeProblem> problems = Format switch
        {
            "humaneval" => HumanEvalReader.Read(path, issues),
            "mbpp" => LoadMbpp(path, issues, settings),
            _ => throw new InvalidDataException($"{definition.FilePath}: format '{Format}' is not known (humaneval, mbpp)"),
        };
        if (PythonSandbox.Find(Option(settings, "python")) is { } python)
        {
            var broken = TestCodeSyntaxCheck.Check(python.Python, problems.Select(p => p.TestCode).ToList());
            foreach (var (i, (line, message)) in broken.OrderBy(b => b.Key))
                issues.Report(problems[i].Source, $"{problems[i].TaskId}: Python cannot parse its test code ({(line > 0 ? $"line {line} of the test: " : "")}{message})");
            problems = problems.Where((_, i) => !broken.ContainsKey(i)).ToList();
        }
        return (problems, issues, path);
    }

    private List<CodeProblem> LoadMbpp(string path, DataIssues issues, TaskSettings settings)
    {
        var records = MbppReader.Read(path, issues);
        var ids = definition.Fields["task_ids"]?.AsArray().Select(x => x!.GetValue<int>()).ToArray() ?? [11, 510];
        var shotIds = definition.Fields["fewshot_task_ids"]?.AsArray().Select(x => x!.GetValue<int>()).ToList() ?? [2, 3, 4];
        int k = settings.NumFewshot ?? definition.Int("num_fewshot") ?? 3;
        if (k < 0 || k > shotIds.Count) throw new ArgumentException($"--num-fewshot for {Name} must be 0 to {shotIds.Count}, got {k}");
        var shots = shotIds.Take(k).Select(id => records.FirstOrDefault(r => r.TaskId == id)
            ?? throw new InvalidDataException($"{path}: few-shot task {id} is missing")).ToList();
        string fewshot = MbppReader.Fewshot(shots);
        return records.Where(r => r.TaskId >= ids[0] && r.TaskId <= ids[1]).Select(r => MbppReader.ToProblem(r, fewshot)).ToList();
    }

    public TaskDescription Describe(TaskSettings settings)
    {
        var (problems, issues, path) = Load(settings);
        int evaluated = Math.Min(problems.Count, settings.Limit ?? int.MaxValue);
        return new TaskDescription(Name, definition.Kind, Description, path,
            new Dictionary<string, int> { ["test"] = problems.Count }, new Dictionary<string, int> { [Name] = evaluated },
            problems[0].Prompt, [problems[0].CanonicalSolution], issues.Warnings);
    }

    public TaskPlan Plan(ILanguageModel model, TaskSettings settings)
    {
        var (all, issues, path) = Load(settings);
        var problems = all.Take(settings.Limit ?? int.MaxValue).ToList();
        int n = (int)Number(settings, "n", 1);
        double temperature = Number(settings, "temperature", 0);
        if (n < 1) throw new ArgumentException($"{Name}: n must be at least 1");
        if (n > 1 && temperature <= 0) throw new ArgumentException($"{Name}: n = {n} samples need a temperature above 0 (greedy samples are all the same)");
        // The task's budget (lm-eval's max_gen_toks: 1024 for humaneval, 256 for mbpp), bounded by the context: the
        // generation gets what the prompt leaves, but at least half the context (the prompt is then cut on the left).
        int maxTokens = (int)Number(settings, "max_tokens", 256);
        if (maxTokens < 1) throw new ArgumentException($"{Name}: max_tokens must be at least 1");
        var until = definition.Fields["until"]?.AsArray().Select(x => x!.GetValue<string>()).ToList() ?? [];
        var limits = new SandboxLimits(Number(settings, "timeout_s", 3), (int)Number(settings, "memory_mb", 1024));
        var ks = (definition.Fields["k"]?.AsArray().Select(x => x!.GetValue<int>()).ToList() ?? [1, 10, 100]).Where(k => k <= n).ToList();

        var requests = new List<ModelRequest>();
        var items = new List<CodePlan.Item>();
        int bos = model.Identity.AddBos ? 1 : 0;
        int bounded = 0;
        foreach (var p in problems)
        {
            int first = requests.Count;
            int budget = Math.Min(maxTokens, Math.Max(model.ContextLength - model.CountPromptTokens(p.Prompt), model.ContextLength / 2));
            bounded += budget < maxTokens ? 1 : 0;
            for (int j = 0; j < n; j++) requests.Add(new GenerateRequest(p.Prompt, until, budget, temperature, settings.Seed + (ulong)j));
            // The canonical solution is scored only if it fits the context on its own (the prompt is cut on the left).
            int canonical = -1;
            if (p.CanonicalSolution.Trim().Length > 0 && model.CountPromptTokens(p.CanonicalSolution) - bos < model.ContextLength)
            {
                canonical = requests.Count;
                requests.Add(new LoglikelihoodRequest(p.Prompt, p.CanonicalSolution));
            }
            items.Add(new CodePlan.Item(p, first, n, canonical));
        }

        PythonSandbox? sandbox = null;
        var warnings = new List<string>(issues.Warnings);
        if (bounded > 0)
            warnings.Add($"generation budget of {maxTokens} tokens bounded by the model's {model.ContextLength}-token context for {bounded} of {problems.Count} problems " +
                "(each gets what its prompt leaves, at least half the context)");
        var execution = Execution(settings);
        if (!execution.AllowCode)
            warnings.Add("code execution is off, so pass@k is not reported: --allow-code-execution " +
                "runs the model-written Python code on this machine, in a sandbox");
        else if ((sandbox = PythonSandbox.Find(Option(settings, "python"))) is null)
            warnings.Add("code execution skipped: no working python3 on this machine (pass@k not reported)");
        else if (!sandbox.Isolated && !execution.AllowUnsandboxed)
            throw new SandboxUnavailableException($"{Name}: cannot isolate model-written code on this machine (unprivileged user namespaces " +
                "via unshare do not work here), so it will not run it; allow user namespaces (sysctl kernel.unprivileged_userns_clone=1, " +
                "user.max_user_namespaces > 0), or pass --allow-unsandboxed-execution to run it without isolation at your own risk");
        else if (!sandbox.Isolated)
            warnings.Add($"code ran without isolation (--allow-unsandboxed-execution): {sandbox.Isolation}");

        var plan = new CodePlan(Name, items, sandbox, limits, ks)
        {
            ListedMetrics = definition.Metrics,
            DataSha256 = DataHash.Of(Path.GetDirectoryName(path)!, [path]),
            Documents = items.Count,
            Requests = requests,
            Settings = new Dictionary<string, object?>
            {
                ["format"] = Format, ["limit"] = settings.Limit, ["num_fewshot"] = Format == "mbpp" ? settings.NumFewshot ?? definition.Int("num_fewshot") ?? 3 : 0,
                ["n"] = n, ["temperature"] = temperature, ["max_tokens"] = maxTokens, ["max_tokens_bounded"] = bounded, ["until"] = until, ["k"] = ks,
                ["code_execution"] = sandbox is not null, ["sandbox"] = sandbox?.Isolation, ["timeout_s"] = limits.TimeoutSeconds,
                ["memory_mb"] = limits.MemoryMegabytes, ["strict"] = settings.Strict,
            },
        };
        plan.Warnings.AddRange(warnings);
        return plan;
    }
}

/// <summary>The "code_completion" kind of task definition.</summary>
public sealed class CodeTaskKind : ITaskKind
{
    public string Kind => "code_completion";
    public IEvalTask Create(TaskDefinition definition) => new CodeTask(definition);
    public IReadOnlyDictionary<string, TaskFieldType>? Fields { get; } = new Dictionary<string, TaskFieldType>
    {
        ["format"] = TaskFieldType.String, ["until"] = TaskFieldType.StringArray, ["max_tokens"] = TaskFieldType.NonNegativeInteger,
        ["n"] = TaskFieldType.NonNegativeInteger, ["temperature"] = TaskFieldType.Number, ["k"] = TaskFieldType.IntegerArray,
        ["timeout_s"] = TaskFieldType.Number, ["memory_mb"] = TaskFieldType.NonNegativeInteger, ["task_ids"] = TaskFieldType.IntegerArray,
        ["fewshot_task_ids"] = TaskFieldType.IntegerArray, ["python"] = TaskFieldType.String,
    };
}
