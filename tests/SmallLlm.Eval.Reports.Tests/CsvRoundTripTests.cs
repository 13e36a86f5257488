using SmallLlm.Eval.Reports.Leaderboards;
using SmallLlm.Eval.Reports.Sweeps;

namespace SmallLlm.Eval.Reports.Tests;

/// <summary>What the reports write as CSV reads back field for field, however awkward the names: commas, quotes, line breaks.</summary>
public sealed class CsvRoundTripTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("smalleval-csv-").FullName;

    private static readonly string[] Awkward = ["plain", "with, comma", "say \"hi\"", "two\nlines", "crlf\r\nend", " padded ", "", "\"", "a,\"b\"\nc"];

    [Fact]
    public void Sweep_manifest_round_trips_quoted_newlines_commas_and_quotes()
    {
        var entries = Awkward.Select((name, i) => new SweepManifest.Entry(name, i * 100, i % 2 == 0 ? i * 8192L : null, $"model {name}", $"/ckpt/{name}")).ToList();
        SweepManifest.Write(_dir, entries);
        Assert.Equal(entries, SweepManifest.Read(_dir));
        Assert.Empty(Directory.GetFiles(_dir, ".*.tmp")); // written to a temporary name and renamed
    }

    [Fact]
    public void Leaderboard_csv_round_trips_labels_and_flags()
    {
        var rows = Awkward.Select((name, i) => new LeaderboardRow(name, name, "fp32", 1000 + i, new Dictionary<string, LeaderboardCell>(), 0.1 * i, i + 1, [$"flag, {name}"])).ToList();
        var board = new Leaderboard([], rows, []);
        string file = Path.Combine(_dir, "leaderboard.csv");
        File.WriteAllText(file, LeaderboardCsv.Render(board));
        var read = ReportCsv.Read(file).Select(r => r.Fields).ToList();
        Assert.Equal(["rank", "tied", "model", "parameters", "dtype", "mean_rank", "average", "flags"], read[0]);
        Assert.Equal(Awkward.Length + 1, read.Count);
        for (int i = 0; i < Awkward.Length; i++)
        {
            Assert.Equal(Awkward[i], read[i + 1][2]);
            Assert.Equal($"flag, {Awkward[i]}", read[i + 1][7]);
            Assert.Equal(0.1 * i, double.Parse(read[i + 1][6], System.Globalization.CultureInfo.InvariantCulture)); // full precision ("R")
        }
    }

    [Fact]
    public void A_sweep_manifest_without_its_header_is_refused_naming_the_file()
    {
        File.WriteAllText(Path.Combine(_dir, SweepManifest.FileName), "name,step\nx,1\n");
        var e = Assert.Throws<InvalidDataException>(() => SweepManifest.Read(_dir));
        Assert.Contains(SweepManifest.FileName, e.Message);
        Assert.Contains("expected the header", e.Message);
    }

    public void Dispose()
    {
        try { Directory.Delete(_dir, recursive: true); } catch (IOException) { }
    }
}
