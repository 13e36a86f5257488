using System.Security.Cryptography;

namespace SmallLlm.Eval.Cli.Tests.Serve;

/// <summary>`merge -o DIR` never deletes what merge did not create: a folder that already holds files (a shard's, a
/// user's results with their request cache) is refused without --force, and with --force the merged run is added beside
/// them, every file there left byte for byte as it was.</summary>
public class ShardMergeOutputTests
{
    private static readonly string[] Common = ["--model", "stories260K", "--tasks", "arc_easy", "--limit", "4", "--batch-size", "1"];

    [Fact]
    public void Merging_into_a_folder_that_is_not_empty_is_refused_without_force_and_deletes_nothing_with_it()
    {
        string root = Directory.CreateTempSubdirectory("smalleval-merge-out-").FullName;
        try
        {
            string[] shards = [Path.Combine(root, "s1"), Path.Combine(root, "s2")];
            for (int i = 1; i <= 2; i++)
            {
                var shard = CliRun.InProcess(["eval", .. Common, "--shard", $"{i}/2", "-o", shards[i - 1]]);
                Assert.True(shard.ExitCode == 0, shard.ToString());
            }
            // A user's results folder with its own request cache.
            string results = Path.Combine(root, "results");
            Directory.CreateDirectory(Path.Combine(results, ".cache"));
            File.WriteAllText(Path.Combine(results, ".cache", "requests.sqlite"), "a user's cache");
            var before = Snapshot(root);

            foreach (var target in new[] { shards[0], results })
            {
                var refused = CliRun.InProcess(["merge", .. shards, "-o", target]);
                Assert.Equal(2, refused.ExitCode);
                Assert.Contains("is not empty", refused.Stderr);
                Assert.Contains("--force", refused.Stderr);
                Assert.Equal(before, Snapshot(root));
            }

            var forced = CliRun.InProcess(["merge", .. shards, "-o", shards[0], "--force"]);
            Assert.True(forced.ExitCode == 0, forced.ToString());
            var after = Snapshot(root);
            foreach (var (file, hash) in before)
                Assert.True(after.TryGetValue(file, out var now) && now == hash, $"{file} was changed or deleted by merge --force");
            Assert.True(File.Exists(Path.Combine(RunResults.LatestRun(shards[0]), "arc_easy.json")), "the merged results were not written");

            var fresh = CliRun.InProcess(["merge", .. shards, "-o", Path.Combine(root, "new")]);
            Assert.True(fresh.ExitCode == 0, fresh.ToString());
            Assert.True(File.Exists(Path.Combine(root, "new", ".cache", "requests.sqlite")));
        }
        finally { Directory.Delete(root, recursive: true); }
    }

    private static Dictionary<string, string> Snapshot(string root) =>
        Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories)
            .ToDictionary(f => Path.GetRelativePath(root, f), f => Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(f))));
}
