namespace SmallLlm.Eval.Cli.Tests.Serve;

/// <summary>`eval --shard I/N` on three folders, `merge`d, equals one unsharded run; mismatched or missing shards are refused.</summary>
public class ShardTests
{
    // One sequence per forward pass: every request's numbers are then independent of which others share its batch, so
    // shards reproduce the unsharded run bit for bit. (With packed batches they agree to float32 rounding, ~1e-6 relative.)
    private static readonly string[] Common = ["--model", "stories260K", "--tasks", "mmlu,arc_easy,tinystories_ppl", "--subjects", "astronomy,virology", "--limit", "4", "--batch-size", "1"];

    [Fact]
    public void Three_shards_merged_equal_the_unsharded_run()
    {
        string root = Directory.CreateTempSubdirectory("smalleval-shards-").FullName;
        try
        {
            var whole = CliRun.InProcess(["eval", .. Common, "-o", Path.Combine(root, "whole")]);
            Assert.True(whole.ExitCode == 0, whole.ToString());
            for (int i = 1; i <= 3; i++)
            {
                var shard = CliRun.InProcess(["eval", .. Common, "--shard", $"{i}/3", "-o", Path.Combine(root, $"s{i}")]);
                Assert.True(shard.ExitCode == 0, shard.ToString());
            }
            string[] shards = [Path.Combine(root, "s3"), Path.Combine(root, "s1"), Path.Combine(root, "s2")]; // any order
            var merged = CliRun.InProcess(["merge", .. shards, "-o", Path.Combine(root, "merged")]);
            Assert.True(merged.ExitCode == 0, merged.ToString());
            string Whole(string f) => Path.Combine(RunResults.LatestRun(Path.Combine(root, "whole")), f);
            string Merged(string f) => Path.Combine(RunResults.LatestRun(Path.Combine(root, "merged")), f);
            foreach (var task in new[] { "mmlu", "arc_easy" })
            {
                // Samples byte for byte; result files equal once timing and machine are removed.
                Assert.Equal(File.ReadAllText(Whole(task + ".samples.jsonl")), File.ReadAllText(Merged(task + ".samples.jsonl")));
                Assert.Equal(WithoutTiming(Whole(task + ".json")), WithoutTiming(Merged(task + ".json")));
            }
            // Perplexity: the engine scores every document's first window from one shared BOS pass, so which documents
            // share a pass moves the last float32 bits: equal within 1e-5 + 1e-6 relative, same token counts.
            SampleComparison.AssertSame(Whole("tinystories_ppl.samples.jsonl"), Merged("tinystories_ppl.samples.jsonl"));
            SampleComparison.AssertSameJson(WithoutTiming(Whole("tinystories_ppl.json")), WithoutTiming(Merged("tinystories_ppl.json")), "tinystories_ppl.json");

            // A missing shard, a shard given twice, and a shard of other settings are refused with a named reason.
            var missing = CliRun.InProcess("merge", shards[0], shards[1], "-o", Path.Combine(root, "m2"));
            Assert.Equal(2, missing.ExitCode);
            Assert.Contains("missing shard(s) 2/3", missing.Stderr);
            var twice = CliRun.InProcess("merge", shards[0], shards[1], shards[1], "-o", Path.Combine(root, "m3"));
            Assert.Equal(2, twice.ExitCode);
            Assert.Contains("given twice", twice.Stderr);
            var other = CliRun.InProcess(["eval", "--model", "stories260K", "--tasks", "mmlu,arc_easy,tinystories_ppl", "--subjects", "astronomy,virology", "--limit", "3",
                "--shard", "2/3", "-o", Path.Combine(root, "other")]);
            Assert.True(other.ExitCode == 0, other.ToString());
            var mismatch = CliRun.InProcess("merge", shards[1], Path.Combine(root, "other"), shards[0], "-o", Path.Combine(root, "m4"));
            Assert.Equal(2, mismatch.ExitCode);
            Assert.Contains("shards differ in plans[mmlu]", mismatch.Stderr);
            var notShard = CliRun.InProcess("merge", Path.Combine(root, "whole"), "-o", Path.Combine(root, "m5"));
            Assert.Equal(2, notShard.ExitCode);
            Assert.Contains("not a shard folder", notShard.Stderr);
        }
        finally { Directory.Delete(root, recursive: true); }
    }

    private static string WithoutTiming(string path)
    {
        var node = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(path))!.AsObject();
        node.Remove("timing");
        node.Remove("machine"); // where it ran: the shards ran elsewhere, the merge records its own machine
        return node.ToJsonString();
    }
}
