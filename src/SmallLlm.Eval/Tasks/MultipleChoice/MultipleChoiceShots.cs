using SmallLlm.Eval.Tasks.Data;
using SmallLlm.Eval.Tasks.Kit;

namespace SmallLlm.Eval.Tasks.MultipleChoice;

/// <summary>
/// Where a multiple-choice task's shots come from. When the task file names its few-shot split ("fewshot_data", the
/// split lm-eval draws from: train for ARC, PIQA, HellaSwag, WinoGrande, OpenBookQA and BoolQ) and that file is
/// there, they are drawn as lm-eval draws them (<see cref="FewshotSampler{T}"/>) and every document is evaluated.
/// Otherwise (a bundled data set that lacks the split) the rule is ours: the first k documents of the evaluated file
/// are the shots and are not evaluated; the results' settings say which rule ran.
/// </summary>
public sealed class MultipleChoiceShots
{
    private readonly FewshotSampler<MultipleChoiceDocument>? _sampler;
    private readonly IReadOnlyList<MultipleChoiceDocument> _firstK;

    /// <summary>Documents at the head of the evaluated file that are shots, not evaluated (0 when sampling).</summary>
    public int Skipped { get; }

    /// <summary>The few-shot file that was read, or null.</summary>
    public string? FewshotPath { get; }

    public int FewshotDocuments => _sampler?.Count ?? 0;

    /// <summary>What the results' settings record: which rule chose the shots.</summary>
    public string Rule { get; }

    private MultipleChoiceShots(FewshotSampler<MultipleChoiceDocument>? sampler, IReadOnlyList<MultipleChoiceDocument> firstK,
        int skipped, string? fewshotPath, string rule)
    {
        _sampler = sampler;
        _firstK = firstK;
        Skipped = skipped;
        FewshotPath = fewshotPath;
        Rule = rule;
    }

    public static MultipleChoiceShots For(TaskDefinition definition, TaskSettings settings, string format,
        List<MultipleChoiceDocument> evaluated, int k, DataIssues issues)
    {
        string? path = FewshotFile(definition, settings);
        if (k == 0)
            return new MultipleChoiceShots(null, [], 0, null, "none (0-shot)");
        if (path is null || !File.Exists(path))
        {
            if (k >= evaluated.Count) throw new ArgumentException($"--num-fewshot for {definition.Name} must be 0 to {evaluated.Count - 1}, got {k}");
            string why = path is null ? "the task names no few-shot split" : $"its few-shot split {path} is not there";
            issues.Warn($"{definition.Name}: {why}, so the shots are the first k = {k} documents of the evaluated file (not evaluated), not lm-eval's random draw");
            return new MultipleChoiceShots(null, evaluated.Take(k).ToList(), k, null, "first_k_of_evaluated_file");
        }
        var docs = MultipleChoiceFormats.Read(format, path, issues);
        var sampling = FewshotSampler<MultipleChoiceDocument>.ParseSampling(definition.String("fewshot_sampler", "default"), definition.FilePath);
        bool sameSplit = definition.Fields["fewshot_split_is_test_split"]?.GetValue<bool>() ?? false;
        var sampler = new FewshotSampler<MultipleChoiceDocument>(docs, sampling, sameSplit, (a, b) => a.SameRecordAs(b), settings.Seed);
        string rule = sampling == FewshotSampling.FirstN ? "lm_eval_first_n" : "lm_eval_random_sample";
        return new MultipleChoiceShots(sampler, [], 0, path, rule);
    }

    /// <summary>The task file's "fewshot_data", relative to the task file; under <c>--data-dir</c>, its file name there.</summary>
    private static string? FewshotFile(TaskDefinition definition, TaskSettings settings)
    {
        if (definition.Fields["fewshot_data"] is null) return null;
        string name = definition.String("fewshot_data");
        return settings.DataDir is not null ? Path.Combine(settings.DataDir, Path.GetFileName(name)) : definition.DataPath("fewshot_data", null);
    }

    /// <summary>The shots of <paramref name="document"/>; call once per evaluated document, in order (lm-eval's draws).</summary>
    public IReadOnlyList<MultipleChoiceDocument> For(MultipleChoiceDocument document, int k) =>
        _sampler is not null ? _sampler.Draw(document, k) : _firstK;
}
