using System.Collections.Concurrent;
using System.Text;
using SmallLlm.Eval.Metrics;
using SmallLlm.Eval.Requests;
using SmallLlm.Eval.Results;

namespace SmallLlm.Eval.Tasks.Code;

/// <summary>Scores completions: runs them (when a sandbox is given), then pass@k, canonical bits per byte and
/// first-line exact match.</summary>
public sealed class CodePlan(string task, IReadOnlyList<CodePlan.Item> items, PythonSandbox? sandbox, SandboxLimits limits, IReadOnlyList<int> ks) : TaskPlan
{
    /// <param name="FirstSample">Index of the first of <paramref name="Samples"/> generate requests.</param>
    /// <param name="Canonical">Index of the canonical solution's log-likelihood request, or -1 when it was not scored.</param>
    public sealed record Item(CodeProblem Problem, int FirstSample, int Samples, int Canonical);

    public override TaskScores Score(IReadOnlyList<ModelResponse> responses)
    {
        var completions = items.Select(it => Enumerable.Range(it.FirstSample, it.Samples).Select(i => ((GenerateResponse)responses[i]).Text).ToList()).ToList();
        var outcomes = sandbox is null ? null : Execute(completions);

        double canonicalLl = 0;
        long canonicalBytes = 0, canonicalSkipped = 0, passedTotal = 0, timeouts = 0, failed = 0;
        var firstLine = new List<bool>();
        var passAt = ks.ToDictionary(k => k, _ => new List<double>());
        var samples = new List<IReadOnlyDictionary<string, object?>>();
        for (int p = 0; p < items.Count; p++)
        {
            var item = items[p];
            double? ll = item.Canonical >= 0 ? ((LoglikelihoodResponse)responses[item.Canonical]).LogLikelihood : null;
            if (ll is double v) { canonicalLl += v; canonicalBytes += Encoding.UTF8.GetByteCount(item.Problem.CanonicalSolution); }
            else canonicalSkipped++;
            bool lineMatch = FirstLine(completions[p][0]) == FirstLine(item.Problem.CanonicalSolution);
            firstLine.Add(lineMatch);
            var sample = new Dictionary<string, object?>
            {
                ["doc_id"] = p, ["task_id"] = item.Problem.TaskId, ["source"] = SampleSource.Portable(item.Problem.Source),
                ["completions"] = completions[p], ["first_line_exact_match"] = lineMatch, ["canonical_loglikelihood"] = ll,
            };
            if (outcomes is not null)
            {
                var results = outcomes[p];
                int c = results.Count(r => r.Passed);
                passedTotal += c;
                timeouts += results.Count(r => r.Status == "timeout");
                failed += results.Count(r => !r.Passed);
                foreach (var k in ks) passAt[k].Add(PassAtK.Estimate(item.Samples, c, k));
                sample["passed"] = c;
                sample["results"] = results.Select(r => new Dictionary<string, object?>
                {
                    ["status"] = r.Status, ["exit_code"] = r.ExitCode, ["seconds"] = Math.Round(r.Seconds, 3),
                    ["output"] = r.Passed ? "" : r.Output,
                }).ToList();
            }
            samples.Add(sample);
        }

        var metrics = new Dictionary<string, MetricValue>();
        if (outcomes is not null) foreach (var k in ks) metrics[$"pass@{k}"] = MeanMetric.Of(passAt[k]);
        metrics["canonical_bits_per_byte"] = new MetricValue(PerplexityMetrics.BitsPerByte(canonicalLl, canonicalBytes), null, items.Count - (int)canonicalSkipped);
        metrics["first_line_exact_match"] = MeanMetric.Of(firstLine);
        var counts = new Dictionary<string, long>
        {
            ["canonical_too_long"] = canonicalSkipped,
            ["generated_tokens"] = items.Sum(it => Enumerable.Range(it.FirstSample, it.Samples).Sum(i => (long)((GenerateResponse)responses[i]).Tokens)),
        };
        if (outcomes is not null)
        {
            counts["executions"] = outcomes.Sum(o => o.Count);
            counts["executions_passed"] = passedTotal;
            counts["executions_failed"] = failed;
            counts["executions_timed_out"] = timeouts;
        }
        // pass@k is a mean of per-problem estimates (not booleans unless n = 1); the canonical solution's bits per byte a corpus figure.
        var declared = ks.Select(k => ($"pass@{k}", new MetricDeclaration(true, "mean", true, null)))
            .Append(("canonical_bits_per_byte", MetricDeclaration.PerUnit(null)))
            .Append(("first_line_exact_match", MetricDeclaration.Accuracy("first_line_exact_match"))).ToList();
        return new TaskScores { Metrics = metrics, Declarations = MetricDeclarations.For(task, metrics, declared, ListedMetrics), Counts = counts, Samples = samples };
    }

    private List<List<SandboxOutcome>> Execute(List<List<string>> completions)
    {
        var jobs = completions.SelectMany((cs, p) => cs.Select((c, s) => (p, s, c))).ToList();
        var results = new ConcurrentDictionary<(int, int), SandboxOutcome>();
        Parallel.ForEach(jobs, new ParallelOptions { MaxDegreeOfParallelism = Math.Clamp(Environment.ProcessorCount, 1, 8) }, job =>
        {
            SandboxOutcome outcome;
            try { outcome = sandbox!.Run(items[job.p].Problem.Program(job.c), limits, $"{items[job.p].Problem.TaskId}-{job.s}"); }
            catch (Exception e) when (e is IOException or System.ComponentModel.Win32Exception)
            {
                outcome = new SandboxOutcome("error", null, 0, e.Message); // recorded as a failure; the run goes on
            }
            results[(job.p, job.s)] = outcome;
        });
        return completions.Select((cs, p) => cs.Select((_, s) => results[(p, s)]).ToList()).ToList();
    }

    /// <summary>The first line with any non-whitespace, without trailing whitespace ("" if none).</summary>
    public static string FirstLine(string code) =>
        code.Split('\n').Select(l => l.TrimEnd()).FirstOrDefault(l => l.Length > 0) ?? "";
}
