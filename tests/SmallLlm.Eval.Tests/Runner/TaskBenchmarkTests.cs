using SmallLlm.Eval.Models;
using SmallLlm.Eval.Runner;
using SmallLlm.Eval.Tasks;

namespace SmallLlm.Eval.Tests.Runner;

/// <summary>`bench tasks` rows: documents per MMLU subject and the tokens computed with and without prefix reuse.</summary>
public class TaskBenchmarkTests
{
    [Fact]
    public void A_row_counts_documents_per_subject_and_the_tokens_prefix_reuse_saves()
    {
        using var model = LocalLanguageModel.Load("stories260K");
        var task = TaskRegistry.Load(RepoPaths.Tasks).Create("mmlu");
        var settings = new TaskSettings { NumFewshot = 2, Limit = 3, Options = new Dictionary<string, string> { ["subjects"] = "marketing,virology" } };

        var row = TaskBenchmark.Run(model, task, settings, "auto");

        Assert.Equal((6, 2, 3.0, 24), (row.Documents, row.Groups, row.DocumentsPerGroup, row.Requests));
        Assert.True(row.TokensWithReuse < row.TokensWithoutReuse, $"{row.TokensWithReuse} with reuse, {row.TokensWithoutReuse} without");
        Assert.True(row.Tokens >= row.TokensWithReuse, $"{row.Tokens} tokens run (padding included), {row.TokensWithReuse} counted");
    }
}
