using System.Text.Json.Nodes;
using SmallLlm.Eval.Engine.Generation;
using SmallLlm.Eval.Metrics;
using SmallLlm.Eval.Models;
using SmallLlm.Eval.Requests;
using SmallLlm.Eval.Tasks.Data;
using SmallLlm.Eval.Tasks.Kit;

namespace SmallLlm.Eval.Tasks.Generative;

/// <summary>
/// lm-evaluation-harness's generate_until output type, declared in a task file: each document's prompt is its few-shot
/// examples (doc_to_text + target_delimiter + doc_to_target, joined and followed by fewshot_delimiter) and its own
/// doc_to_text; the model generates until a stop sequence or max_gen_toks, <c>repeats</c> times; the text is cut at
/// the first stop sequence here too (servers may ignore "stop"); each filter of filter_list extracts an answer, and
/// exact_match against doc_to_target is reported per filter as "exact_match,&lt;filter&gt;".
/// </summary>
public sealed class GenerativeTask(TaskDefinition definition) : EvalTask(definition)
{
    private GenerativeConfig Config => _config ??= GenerativeConfig.Read(Definition);
    private GenerativeConfig? _config;

    private sealed record Doc(int Index, string Where, IReadOnlyDictionary<string, string> Fields);

    private (List<Doc> Docs, List<Doc>? Pool, DataIssues Issues, string Path, List<string> Files) Load(TaskSettings settings)
    {
        var config = Config;
        var issues = new DataIssues(settings.Strict);
        string path = DataFile(settings);
        var docs = Read(path, issues);
        if (docs.Count == 0) throw new InvalidDataException($"{Name}: {path} has no documents");
        var files = new List<string> { path };
        List<Doc>? pool = null;
        if (config.FewshotSamples is { } samples) pool = samples.Select((s, i) => new Doc(i, $"{Definition.FilePath}: fewshot_samples[{i}]", s)).ToList();
        else if (Definition.Fields["fewshot_data"] is not null)
        {
            string shots = settings.DataDir is not null ? Path.Combine(settings.DataDir, Path.GetFileName(Definition.String("fewshot_data")))
                : Definition.DataPath("fewshot_data", null);
            if (!File.Exists(shots))
                throw new FileNotFoundException($"{Name}: few-shot data file '{shots}' not found" + (Definition.String("data_instructions", "") is { Length: > 0 } how ? ". " + how : ""));
            pool = Read(shots, issues);
            files.Add(shots);
        }
        return (docs, pool, issues, path, files);
    }

    private List<Doc> Read(string path, DataIssues issues)
    {
        var docs = new List<Doc>();
        foreach (var (where, record) in JsonlRecords.Read(path, issues))
        {
            var fields = DocTemplate.FieldsOf(record, where);
            var missing = Config.Text.Fields.Concat(Config.Target.Fields).FirstOrDefault(f => !fields.ContainsKey(f));
            if (missing is not null)
            {
                issues.Report(where, $"no text or integer field '{missing}' (named by {Definition.FilePath}); it has {string.Join(", ", fields.Keys)}");
                continue;
            }
            docs.Add(new Doc(docs.Count, where, fields));
        }
        return docs;
    }

    /// <summary>Python's dict equality of two documents (lm-eval drops a shot equal to the evaluated document).</summary>
    private static bool SameDoc(Doc a, Doc b) => a.Fields.Count == b.Fields.Count && a.Fields.All(f => b.Fields.TryGetValue(f.Key, out var v) && v == f.Value);

    /// <summary>lm-eval's fewshot_context without a chat template (no description).</summary>
    private string Prompt(IReadOnlyList<Doc> shots, Doc d) => FewshotContext.Build("", Examples(shots),
        Config.TargetDelimiter, Config.FewshotDelimiter, Config.Text.Render(d.Fields, d.Where));

    private List<FewshotExample> Examples(IReadOnlyList<Doc> shots) =>
        [.. shots.Select(s => new FewshotExample(Config.Text.Render(s.Fields, s.Where), Config.Target.Render(s.Fields, s.Where)))];

    /// <summary>The prompt a run sends: plain, or through the chat template (lm-eval's fewshot_context with apply_chat_template).</summary>
    private ChatPrompt RunPrompt(ILanguageModel model, TaskSettings settings, IReadOnlyList<Doc> shots, Doc d) =>
        settings.Chat is { } chat
            ? chat.Render(model, Examples(shots), Config.Text.Render(d.Fields, d.Where), Config.TargetDelimiter, Config.FewshotDelimiter)
            : new ChatPrompt(Prompt(shots, d), SystemDropped: false);

    /// <summary>lm-eval's sampler over the few-shot pool (the evaluated split itself when there is none), checked against k.</summary>
    private FewshotSampler<Doc> Sampler(List<Doc> docs, List<Doc>? pool, int k, TaskSettings settings)
    {
        int max = pool is null ? docs.Count - 1 : pool.Count;
        if (k < 0 || k > max) throw new ArgumentException($"--num-fewshot for {Name} must be 0 to {max} (the few-shot pool has {(pool ?? docs).Count} documents), got {k}");
        return new FewshotSampler<Doc>(pool ?? docs, FewshotSampler<Doc>.ParseSampling(Config.Sampler, Definition.FilePath), pool is null, SameDoc, (long)settings.Seed);
    }

    public override TaskDescription Describe(TaskSettings settings)
    {
        var (docs, pool, issues, path, _) = Load(settings);
        int k = Shots(settings);
        var sampler = Sampler(docs, pool, k, settings);
        var first = docs[0];
        int evaluated = Math.Min(docs.Count, settings.Limit ?? int.MaxValue);
        var splits = new Dictionary<string, int> { ["test"] = docs.Count };
        if (pool is not null) splits["fewshot"] = pool.Count;
        return new TaskDescription(Name, Definition.Kind, Description, path, splits, new Dictionary<string, int> { [Name] = evaluated },
            Prompt(sampler.Draw(first, k), first), [Config.Target.Render(first.Fields, first.Where)], issues.Warnings);
    }

    /// <summary>The task file's max_gen_toks, or the task option "max_gen_toks" (lm-eval's --gen_kwargs max_gen_toks=N).</summary>
    private int MaxGenToks(TaskSettings settings)
    {
        if (!settings.Options.TryGetValue("max_gen_toks", out var v)) return Config.MaxGenToks;
        return int.TryParse(v, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int n) && n >= 1 ? n
            : throw new ArgumentException($"{Name}: option max_gen_toks must be an integer of at least 1, got '{v}'");
    }

    private sealed record Item(Doc Doc, string Prompt, string Target, int Shots, IReadOnlyList<Answer<GenerateResponse>> Answers);

    public override TaskPlan Plan(ILanguageModel model, TaskSettings settings)
    {
        var config = Config;
        var (docs, pool, issues, path, files) = Load(settings);
        int k = Shots(settings);
        var sampler = Sampler(docs, pool, k, settings);
        var requests = new RequestSet();
        var items = new List<Item>();
        int maxGen = MaxGenToks(settings);
        int room = Math.Max(1, model.ContextLength - maxGen);
        int truncated = 0, systemDropped = 0;
        foreach (var d in docs.Take(settings.Limit ?? int.MaxValue))
        {
            var shots = sampler.Draw(d, k);
            var (prompt, dropped) = RunPrompt(model, settings, shots, d);
            if (dropped) systemDropped++;
            if (model.CountPromptTokens(prompt) > room) truncated++;
            var answers = Enumerable.Range(0, config.Repeats).Select(j =>
                requests.Generate(new GenerateRequest(prompt, config.Until, maxGen, config.Temperature, settings.Seed + (ulong)j))).ToList();
            items.Add(new Item(d, prompt, config.Target.Render(d.Fields, d.Where), shots.Count, answers));
        }
        if (truncated > 0)
            issues.Warn($"{truncated} of {items.Count} prompts are longer than the {room} tokens the model's {model.ContextLength}-token context leaves " +
                $"after max_gen_toks {maxGen}: they are cut on the left, as lm-eval cuts them");
        if (ChatPromptSettings.SystemDroppedWarning(systemDropped, items.Count) is string w) issues.Warn(w);
        var echoed = new Dictionary<string, object?>
        {
            ["num_fewshot"] = k, ["limit"] = settings.Limit, ["fewshot_sampler"] = config.Sampler, ["fewshot_random_seed"] = settings.Seed,
            ["fewshot_source"] = config.FewshotSamples is not null ? "fewshot_samples" : pool is not null ? "fewshot_data" : "test",
            ["doc_to_text"] = config.TextTemplate, ["doc_to_target"] = config.TargetTemplate, ["target_delimiter"] = config.TargetDelimiter,
            ["fewshot_delimiter"] = config.FewshotDelimiter, ["until"] = config.Until, ["max_gen_toks"] = maxGen,
            ["do_sample"] = config.DoSample, ["temperature"] = config.Temperature, ["repeats"] = config.Repeats,
            ["filters"] = config.Filters.Select(f => f.Name).ToList(), ["exact_match"] = config.ExactMatch.Settings, ["strict"] = settings.Strict,
        };
        settings.Chat?.AddTo(echoed);
        return Plan(requests, Path.GetDirectoryName(path)!, files, items.Count, echoed, issues, () => Score(items, truncated));
    }

    private TaskScores Score(List<Item> items, int truncated)
    {
        var config = Config;
        var correct = config.Filters.ToDictionary(f => f.Name, _ => new List<bool>());
        var samples = new List<IReadOnlyDictionary<string, object?>>();
        long generated = 0;
        foreach (var item in items)
        {
            var raw = item.Answers.Select(a => a.Value.Text).ToList();
            generated += item.Answers.Sum(a => (long)a.Value.Tokens);
            var cut = raw.Select(t => StopText.IndexOf(t, config.Until) is int at and >= 0 ? t[..at] : t).ToList();
            var sample = new Dictionary<string, object?>
            {
                ["doc_id"] = item.Doc.Index, ["prompt_sha256"] = PromptHash.Of(item.Prompt), ["shots"] = item.Shots, ["target"] = item.Target,
                ["generations"] = raw, ["cut"] = cut,
            };
            var filtered = new Dictionary<string, string>();
            foreach (var filter in config.Filters)
            {
                string answer;
                try { answer = filter.Apply(cut); }
                catch (InvalidOperationException e) { throw new InvalidOperationException($"{Name}: document {item.Doc.Index} ({item.Doc.Where}), filter '{filter.Name}': {e.Message}", e); }
                bool ok = config.ExactMatch.Matches(answer, item.Target);
                filtered[filter.Name] = answer;
                correct[filter.Name].Add(ok);
                sample[MetricName(filter)] = ok;
            }
            sample["filtered"] = filtered;
            samples.Add(sample);
        }
        var metrics = config.Filters.ToDictionary(MetricName, f => MeanMetric.Of(correct[f.Name]));
        var declared = config.Filters.Select(f => (MetricName(f), MetricDeclaration.Accuracy(MetricName(f)))).ToList();
        var counts = new Dictionary<string, long> { ["generated_tokens"] = generated, ["truncated_prompts"] = truncated };
        return Scores(metrics, declared, samples, counts, FewshotFitOption.Histogram(items.Select(i => i.Shots)));
    }

    /// <summary>lm-eval's results key: metric, comma, filter name.</summary>
    private static string MetricName(AnswerFilter filter) => "exact_match," + filter.Name;
}

/// <summary>The "generate_until" kind of task definition.</summary>
public sealed class GenerativeTaskKind : ITaskKind
{
    public string Kind => "generate_until";
    public IEvalTask Create(TaskDefinition definition) => new GenerativeTask(definition);
    public IReadOnlyDictionary<string, TaskFieldType>? Fields { get; } = GenerativeConfig.Fields;
}

/// <summary>A generate_until task file's own fields, read and checked once: every error names the file and field.</summary>
internal sealed class GenerativeConfig
{
    public static readonly IReadOnlyDictionary<string, TaskFieldType> Fields = new Dictionary<string, TaskFieldType>
    {
        ["doc_to_text"] = TaskFieldType.String, ["doc_to_target"] = TaskFieldType.String, ["target_delimiter"] = TaskFieldType.String,
        ["fewshot_delimiter"] = TaskFieldType.String, ["fewshot_data"] = TaskFieldType.String, ["fewshot_samples"] = TaskFieldType.Any,
        ["fewshot_sampler"] = TaskFieldType.String, ["until"] = TaskFieldType.StringArray, ["max_gen_toks"] = TaskFieldType.NonNegativeInteger,
        ["do_sample"] = TaskFieldType.Boolean, ["temperature"] = TaskFieldType.Number, ["repeats"] = TaskFieldType.NonNegativeInteger,
        ["filter_list"] = TaskFieldType.Any, ["metric_list"] = TaskFieldType.Any,
    };

    public required string TextTemplate { get; init; }
    public required string TargetTemplate { get; init; }
    public required DocTemplate Text { get; init; }
    public required DocTemplate Target { get; init; }
    public required string TargetDelimiter { get; init; }
    public required string FewshotDelimiter { get; init; }
    public required IReadOnlyList<IReadOnlyDictionary<string, string>>? FewshotSamples { get; init; }
    public required string Sampler { get; init; }
    public required IReadOnlyList<string> Until { get; init; }
    public required int MaxGenToks { get; init; }
    public required bool DoSample { get; init; }
    public required double Temperature { get; init; }
    public required int Repeats { get; init; }
    public required IReadOnlyList<AnswerFilter> Filters { get; init; }
    public required ExactMatch ExactMatch { get; init; }

    public static GenerativeConfig Read(TaskDefinition d)
    {
        string file = d.FilePath;
        d.Validate(Fields);
        string Required(string field) => d.Fields[field]?.GetValue<string>() ?? throw new InvalidDataException($"{file}: missing field '{field}' (a template over the data's fields, e.g. \"Question: {{question}}\\nAnswer:\")");
        string text = Required("doc_to_text"), target = Required("doc_to_target");
        bool doSample = d.Fields["do_sample"]?.GetValue<bool>() ?? false;
        double? temperature = d.Fields["temperature"]?.GetValue<double>();
        // lm-eval's HF backend samples only with do_sample; a temperature without it would be greedy there and sampled elsewhere.
        if (!doSample && temperature is > 0)
            throw new InvalidDataException($"{file}: field 'temperature' is {temperature} but 'do_sample' is not true: lm-eval decodes greedily then; set do_sample: true to sample, or temperature 0");
        if (doSample && temperature is <= 0)
            throw new InvalidDataException($"{file}: field 'do_sample' is true but 'temperature' is {temperature}: sampling needs a temperature above 0");
        int repeats = d.Int("repeats") ?? 1;
        if (repeats < 1) throw new InvalidDataException($"{file}: field 'repeats' must be at least 1");
        int maxGen = d.Int("max_gen_toks") ?? 256;
        if (maxGen < 1) throw new InvalidDataException($"{file}: field 'max_gen_toks' must be at least 1");
        string sampler = d.Fields["fewshot_sampler"]?.GetValue<string>() ?? "default";
        FewshotSampler<object>.ParseSampling(sampler, file);
        return new GenerativeConfig
        {
            TextTemplate = text,
            TargetTemplate = target,
            Text = new DocTemplate(text, "doc_to_text", file),
            Target = new DocTemplate(target, "doc_to_target", file),
            TargetDelimiter = d.Fields["target_delimiter"]?.GetValue<string>() ?? " ",
            FewshotDelimiter = d.Fields["fewshot_delimiter"]?.GetValue<string>() ?? "\n\n",
            FewshotSamples = Samples(d.Fields["fewshot_samples"], file),
            Sampler = sampler,
            Until = d.Fields["until"]?.AsArray().Select(x => x!.GetValue<string>()).ToList() ?? [],
            MaxGenToks = maxGen,
            DoSample = doSample,
            Temperature = doSample ? temperature ?? 1.0 : 0,
            Repeats = repeats,
            Filters = AnswerFilter.ReadList(d.Fields["filter_list"], file),
            ExactMatch = ExactMatch.ReadList(d.Fields["metric_list"], file),
        };
    }

    private static List<IReadOnlyDictionary<string, string>>? Samples(JsonNode? node, string file)
    {
        if (node is null) return null;
        if (node is not JsonArray list || list.Count == 0) throw new InvalidDataException($"{file}: field 'fewshot_samples' must be a non-empty array of objects");
        return list.Select((s, i) => (IReadOnlyDictionary<string, string>)DocTemplate.FieldsOf(
            System.Text.Json.JsonSerializer.Deserialize<System.Text.Json.JsonElement>(s?.ToJsonString() ?? "null"), $"{file}: fewshot_samples[{i}]")).ToList();
    }
}
