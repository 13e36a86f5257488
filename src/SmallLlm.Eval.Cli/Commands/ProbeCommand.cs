using System.CommandLine;
using System.Text.Json;
using SmallLlm.Eval.Remote;
using SmallLlm.Eval.Models;

namespace SmallLlm.Eval.Cli.Commands;

/// <summary><c>smalleval probe openai-completions:URL</c>: checks a completions server's capabilities before it is trusted.</summary>
public static class ProbeCommand
{
    public static Command Create()
    {
        var server = new Argument<string>("server") { Description = "The server: openai-completions:http://HOST:PORT/v1 (as --model takes it)." };
        var tokenizer = ModelOptions.Tokenizer();
        tokenizer.Description = "Our tokenizer to compare the server's with (name or file). Default: the --reference model's, else the server's own (/tokenize).";
        var reference = new Option<string?>("--reference") { Description = "A local model of the same weights (bundled name, folder, .bin or .gguf): the server's log-probabilities must match it within --tolerance." };
        var tolerance = new Option<double>("--tolerance") { Description = "Largest accepted difference in log-likelihood (nats) against --reference, and between batched and single requests.", DefaultValueFactory = _ => 1e-3 };
        var json = ModelOptions.Json();
        var remote = new RemoteCliOptions();
        var command = new Command("probe",
            "Check a completions server before trusting its numbers: models listed, echo honoured, prompt log-probabilities, token-id prompts, " +
            "tokenization equal to ours, BOS handling, stop strings, greedy determinism, top_logprobs, max context, and (--reference) " +
            "log-probabilities against a local model. Prints each capability with its evidence; exit 0 when none failed, 1 when one did.")
        {
            server, tokenizer, reference, tolerance, json,
        };
        foreach (var o in remote.All) command.Options.Add(o);
        command.SetAction(parse =>
        {
            string target = parse.GetValue(server)!;
            if (target.StartsWith("http://", StringComparison.Ordinal) || target.StartsWith("https://", StringComparison.Ordinal))
                target = RemoteOptions.PrefixName + target;
            if (!RemoteOptions.IsRemote(target)) throw new ArgumentException($"probe {target}: expected openai-completions:http://HOST:PORT/v1");
            double tol = parse.GetValue(tolerance);
            if (!(tol > 0)) throw new ArgumentException($"--tolerance {tol}: expected a number above 0");
            var options = remote.Read(parse, target)!;
            string? tokName = parse.GetValue(tokenizer);
            var ours = tokName is null ? null : Tokenizers.TokenizerCatalog.Resolve(tokName);
            var local = parse.GetValue(reference) is string r ? ModelBackends.Load(ModelSpec.Parse(r), "auto", fast: false, tokenizer: tokName) : null;
            using var owned = local as IDisposable;

            var output = parse.InvocationConfiguration.Output;
            bool asJson = parse.GetValue(json);
            if (!asJson) output.WriteLine($"probe {options.BaseUrl}");
            var report = new ServerProbe(options, ours, local, tol).Run(c =>
            {
                if (!asJson) output.WriteLine($"{Label(c.Outcome)}  {c.Capability,-38} {c.Evidence}");
            });
            if (asJson)
                output.WriteLine(JsonSerializer.Serialize(new
                {
                    url = report.Url, model = report.Model, tokenizer = report.Tokenizer, passed = report.Passed,
                    checks = report.Checks,
                }, CliJson.Options));
            else
            {
                int failed = report.Checks.Count(c => c.Outcome == ProbeOutcome.Fail), skipped = report.Checks.Count(c => c.Outcome == ProbeOutcome.Skip);
                output.WriteLine($"{report.Checks.Count} checks: {report.Checks.Count - failed - skipped} passed, {failed} failed, {skipped} skipped" +
                    $" (model {report.Model ?? "-"}, tokenizer {report.Tokenizer ?? "-"})");
            }
            return report.Passed ? 0 : 1;
        });
        return command;
    }

    private static string Label(ProbeOutcome o) => o switch { ProbeOutcome.Pass => "PASS", ProbeOutcome.Fail => "FAIL", _ => "SKIP" };
}
