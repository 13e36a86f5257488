using System.Diagnostics;

namespace SmallLlm.Eval.Cli.Tests.Serve;

/// <summary>`smalleval serve` as a real process on a loopback port; it stops by itself after 10 minutes even if the test host dies.</summary>
internal static class ServeProcess
{
    /// <summary>Starts it and waits for the line naming the bound URL (port 0: a free one, read from that line).</summary>
    public static (Process Process, string Url) Start(string model, int port, params string[] extra)
    {
        var p = CliRun.StartProcess(["serve", "--model", model, "--port", port.ToString(), "--shutdown-after", "600", .. extra]);
        var line = p.StandardOutput.ReadLineAsync();
        var url = line.Wait(TimeSpan.FromSeconds(90)) && line.Result is string text
            ? System.Text.RegularExpressions.Regex.Match(text, @"listening on (http://127\.0\.0\.1:\d+)") : null;
        if (url is not { Success: true } || (port != 0 && !url.Groups[1].Value.EndsWith($":{port}")))
        {
            p.Kill(entireProcessTree: true);
            throw new InvalidOperationException($"serve did not start: {(line.IsCompleted ? line.Result : "no output")} {p.StandardError.ReadToEnd()}");
        }
        return (p, url.Groups[1].Value);
    }
}
