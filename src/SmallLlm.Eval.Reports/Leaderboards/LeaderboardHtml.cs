using System.Net;
using System.Text;

namespace SmallLlm.Eval.Reports.Leaderboards;

/// <summary>
/// A single static HTML page: the leaderboard table and the plots embedded as data: URIs, so the file can be
/// mailed, attached to a CI run or opened offline with nothing beside it.
/// </summary>
public static class LeaderboardHtml
{
    public static string Render(Leaderboard board, IEnumerable<(string Title, string PngPath)> plots)
    {
        var sb = new StringBuilder();
        sb.Append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>smalleval leaderboard</title>\n<style>")
          .Append("body{font-family:system-ui,sans-serif;margin:2em;color:#222}table{border-collapse:collapse}")
          .Append("th,td{border:1px solid #ccc;padding:4px 8px}td.n{text-align:right;font-variant-numeric:tabular-nums}")
          .Append(".scroll{overflow-x:auto;max-width:100%}th{position:sticky;top:0;background:#f6f6f6}td.flags{min-width:16em;max-width:40em;white-space:normal}")
          .Append("tr.flagged{background:#fff4e0}img{max-width:100%;display:block;margin:1em 0}.legend{color:#555;max-width:60em}")
          .Append("</style></head><body>\n<h1>Leaderboard</h1>\n");
        if (board.Columns.Count > 0) Table(board, sb);
        if (board.Kld.Count > 0)
        {
            sb.Append("<h2>kld</h2>\n<div class=\"scroll\"><table>\n<tr>").Append(string.Concat(KldSection.Headers.Select(h => $"<th>{E(h)}</th>"))).Append("</tr>\n");
            foreach (var r in board.Kld)
                sb.Append("<tr>").Append(string.Concat(KldSection.Cells(r).Select((c, i) => i >= 5 ? $"<td class=\"n\">{E(c)}</td>" : $"<td>{E(c)}</td>"))).Append("</tr>\n");
            sb.Append("</table></div>\n<p class=\"legend\">").Append(E(KldSection.Legend)).Append("</p>\n");
        }
        foreach (string w in board.Warnings) sb.Append("<p class=\"legend\">warning: ").Append(E(w)).Append("</p>\n");
        foreach (var (title, png) in plots)
        {
            if (!File.Exists(png)) continue;
            sb.Append("<h2>").Append(E(title)).Append("</h2>\n<img alt=\"").Append(E(title)).Append("\" src=\"data:image/png;base64,")
              .Append(Convert.ToBase64String(File.ReadAllBytes(png))).Append("\">\n");
        }
        sb.Append("</body></html>\n");
        return sb.ToString();
    }

    private static void Table(Leaderboard board, StringBuilder sb)
    {
        sb.Append("<div class=\"scroll\"><table>\n<tr><th>rank</th><th>model</th><th>parameters</th><th>dtype</th><th>shots</th><th>limit</th>");
        foreach (var c in board.Columns) sb.Append("<th>").Append(E(LeaderboardText.Header(c))).Append("</th>");
        sb.Append("<th>mean rank</th><th>average</th><th>flags</th></tr>\n");
        foreach (var r in board.Rows)
        {
            sb.Append(r.Flags.Count > 0 ? "<tr class=\"flagged\">" : "<tr>");
            sb.Append($"<td class=\"n\">{r.RankText}</td><td>{E(r.Label)}</td><td class=\"n\">{LeaderboardText.Parameters(r.Parameters)}</td><td>{E(r.DType)}</td>");
            sb.Append($"<td>{E(LeaderboardText.Shots(r, board.Columns))}</td><td>{E(LeaderboardText.PerTask(r, board.Columns, "limit"))}</td>");
            foreach (var c in board.Columns) sb.Append("<td class=\"n\">").Append(E(LeaderboardText.Cell(r.Cells.GetValueOrDefault(c.Task)))).Append("</td>");
            sb.Append("<td class=\"n\">").Append(LeaderboardText.MeanRank(r)).Append("</td>");
            sb.Append("<td class=\"n\">").Append(r.Average is double a ? ReportNumbers.Format(a) : "—").Append("</td>");
            sb.Append("<td class=\"flags\">").Append(E(string.Join("; ", r.Flags.Concat(r.Notes)))).Append("</td></tr>\n");
        }
        sb.Append("</table></div>\n<p class=\"legend\">").Append(E(LeaderboardText.Legend(board))).Append("</p>\n");
    }

    private static string E(string s) => WebUtility.HtmlEncode(s);
}
