using SmallLlm.Eval.Reports.Gate;
using SmallLlm.Eval.Reports.Leaderboards;
using SmallLlm.Eval.Reports.ResultSets;

namespace SmallLlm.Eval.Reports.Tests;

/// <summary>One rule decides whether two runs of a task compare, and the leaderboard, the gate and run selection agree on it.</summary>
public sealed class RunComparisonTests
{
    private static ResultFile Run(string model, string runId, params (string Key, string Value)[] settings) => new()
    {
        Path = $"/r/{model}/{runId}/t.json", SchemaVersion = 2, Task = "t", TaskVersion = "1", DataSha256 = "abc",
        Settings = settings.ToDictionary(s => s.Key, s => s.Value), Model = model, ModelId = model + "-fp32-1", RunId = runId,
        ModelDirectory = "/r/" + model, ModelPath = model, WeightsSha256 = "w", DType = "fp32", Parameters = 1, Tokenizer = "tok",
        HarnessVersion = "0", Breakdown = new Dictionary<string, IReadOnlyDictionary<string, ResultMetric>>(),
        Metrics = new Dictionary<string, ResultMetric> { ["acc"] = new(0.5, 0.05, 100) { Declared = new(true, "mean", true, "correct", true) } },
    };

    /// <summary>(comparable?, gate's verdict, leaderboard's flag, run selection's warning) for a run against a reference.</summary>
    private static (bool Rule, bool Gate, bool Leaderboard, bool Selection) Verdicts(ResultFile reference, ResultFile other)
    {
        var reference2 = reference with { Model = "b", ModelId = "b-fp32-1", ModelDirectory = "/r/b", Path = "/r/b/1/t.json" };
        var board = Leaderboard.Build(new ResultSet("/r", [reference, reference2, other with { Model = "c", ModelDirectory = "/r/c", Path = "/r/c/1/t.json" }], []));
        var selection = RunSelection.Select(new ResultSet("/r", [reference, other with { RunId = "0" }], []));
        return (RunComparison.Comparable(reference, other), QualityGate.Difference(reference, other) is null,
            board.Rows.Single(r => r.Model == "c").Flags.Count == 0, selection.Warnings.Count == 0);
    }

    [Theory]
    [InlineData("strict", "true", true)]       // how bad rows are handled: a run that finished saw none
    [InlineData("data_dir", "/elsewhere/data", true)] // where the data lay: its hash is compared
    [InlineData("limit", "20", false)]
    [InlineData("num_fewshot", "5", false)]
    public void Gate_leaderboard_and_run_selection_agree(string key, string value, bool comparable)
    {
        var reference = Run("a", "1", ("limit", "10"), ("num_fewshot", "0"), ("strict", "false"), ("data_dir", "/here/data"));
        var other = Run("a", "1", ("limit", "10"), ("num_fewshot", "0"), ("strict", "false"), ("data_dir", "/here/data"));
        other = other with { Settings = new Dictionary<string, string>(other.Settings) { [key] = value } };
        Assert.Equal((comparable, comparable, comparable, comparable), Verdicts(reference, other));
    }

    [Fact]
    public void Task_version_and_data_hash_are_part_of_the_rule()
    {
        var reference = Run("a", "1");
        Assert.Equal((false, false, false, false), Verdicts(reference, reference with { TaskVersion = "2" }));
        Assert.Equal((false, false, false, false), Verdicts(reference, reference with { DataSha256 = "def" }));
        Assert.Equal(["task version", "data"], RunComparison.Differences(reference, reference with { TaskVersion = "2", DataSha256 = "def" }).Select(d => d.What));
    }
}
