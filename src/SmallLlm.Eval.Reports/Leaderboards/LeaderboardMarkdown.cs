using System.Text;

namespace SmallLlm.Eval.Reports.Leaderboards;

/// <summary>The leaderboard as a GitHub markdown table with a legend and the reader's warnings.</summary>
public static class LeaderboardMarkdown
{
    public static string Render(Leaderboard board)
    {
        var sb = new StringBuilder();
        if (board.Columns.Count > 0) Table(board, sb);
        if (board.Kld.Count > 0)
        {
            if (sb.Length > 0) sb.Append('\n');
            sb.Append("## kld\n\n| ").Append(string.Join(" | ", KldSection.Headers)).Append(" |\n|---|---|---|---|---|---:|---:|---:|---:|---:|\n");
            foreach (var r in board.Kld) sb.Append("| ").Append(string.Join(" | ", KldSection.Cells(r).Select(Escape))).Append(" |\n");
            sb.Append('\n').Append(KldSection.Legend).Append('\n');
        }
        foreach (string w in board.Warnings) sb.Append("\nwarning: ").Append(w).Append('\n');
        return sb.ToString();
    }

    private static void Table(Leaderboard board, StringBuilder sb)
    {
        sb.Append("| rank | model | parameters | dtype | shots | limit | ");
        foreach (var c in board.Columns) sb.Append(LeaderboardText.Header(c)).Append(" | ");
        sb.Append("mean rank | average | flags |\n");
        sb.Append("|---:|---|---:|---|---|---|").Append(string.Concat(board.Columns.Select(_ => "---:|"))).Append("---:|---:|---|\n");
        foreach (var r in board.Rows)
        {
            sb.Append($"| {r.RankText} | {Escape(r.Label)} | {LeaderboardText.Parameters(r.Parameters)} | {r.DType} | ");
            sb.Append($"{LeaderboardText.Shots(r, board.Columns)} | {LeaderboardText.PerTask(r, board.Columns, "limit")} | ");
            foreach (var c in board.Columns) sb.Append(LeaderboardText.Cell(r.Cells.GetValueOrDefault(c.Task))).Append(" | ");
            sb.Append(LeaderboardText.MeanRank(r)).Append(" | ");
            sb.Append(r.Average is double a ? ReportNumbers.Format(a) : "—").Append(" | ");
            sb.Append(Escape(string.Join("; ", r.Flags.Concat(r.Notes)))).Append(" |\n");
        }
        sb.Append('\n').Append(LeaderboardText.Legend(board)).Append('\n');
    }

    private static string Escape(string s) => s.Replace("|", "\\|");
}
