using System.CommandLine;
using System.Diagnostics;
using System.Text;
using System.Text.Json;
using SmallLlm.Eval.Engine;
using SmallLlm.Eval.Engine.Checkpoints;
using SmallLlm.Eval.Models;
using SmallLlm.Eval.Serve;

namespace SmallLlm.Eval.Cli.Commands;

/// <summary><c>smalleval bench serve</c>: prompt-scoring throughput of <c>serve</c> under concurrent clients against
/// scoring the same prompts in-process.</summary>
public static class BenchServeCommand
{
    public static Command Create()
    {
        var model = ModelOptions.Model();
        model.Required = false;
        model.DefaultValueFactory = _ => "stories260K";
        var requests = new Option<int>("--requests") { Description = "Prompts scored per configuration.", DefaultValueFactory = _ => 256 };
        var length = new Option<int>("--length") { Description = "Tokens per prompt.", DefaultValueFactory = _ => 128 };
        var clients = new Option<string>("--clients") { Description = "Comma-separated numbers of concurrent clients.", DefaultValueFactory = _ => "1,4,16" };
        var maxBatch = new Option<int>("--max-batch-tokens") { Description = "Server micro-batch size (and the in-process batch).", DefaultValueFactory = _ => 4096 };
        var json = ModelOptions.Json();
        var command = new Command("serve", "Tokens/s of `smalleval serve` (loopback, echo + logprobs scoring) under 1, 4, 16 concurrent clients, against in-process scoring of the same prompts. Numbers mean something only on a quiet machine.")
        {
            model, requests, length, clients, maxBatch, json,
        };
        command.SetAction(parse =>
        {
            int n = parse.GetValue(requests), len = parse.GetValue(length);
            if (n < 1 || len < 2) throw new ArgumentException("--requests must be at least 1 and --length at least 2");
            var clientCounts = parse.GetValue(clients)!.Split(',', StringSplitOptions.RemoveEmptyEntries).Select(c => int.TryParse(c, out int k) && k > 0 ? k
                : throw new ArgumentException($"--clients: '{c}' is not a positive number")).ToArray();
            string name = parse.GetValue(model)!;
            var tok = LocalLanguageModel.ResolveTokenizer(name, null);
            using var llama = new LlamaModel(CheckpointLoader.Load(name, ModelDType.Float32));
            len = Math.Min(len, llama.Config.MaxPositionEmbeddings);
            var rng = new Random(1234);
            var prompts = Enumerable.Range(0, n).Select(_ => Enumerable.Range(0, len).Select(_ => rng.Next(3, tok.VocabSize)).ToArray()).ToList();
            long tokens = (long)n * len;
            var engine = new TorchCompletionEngine(llama, tok, name);

            // In-process: the same prompts through the same scorer, in batches of the server's size.
            engine.Score(prompts.Take(2).ToList(), 1, false); // warm-up
            var sw = Stopwatch.StartNew();
            var cpu = Process.GetCurrentProcess().TotalProcessorTime;
            int perBatch = Math.Max(1, parse.GetValue(maxBatch) / len);
            foreach (var chunk in prompts.Chunk(perBatch)) engine.Score(chunk, 1, false);
            double inProcess = tokens / sw.Elapsed.TotalSeconds;

            // CPU seconds per configuration: on a loaded machine, wall time mostly measures the others; CPU time per
            // token still shows what serving adds (HTTP, JSON, response pieces) to the same scoring.
            var rows = new List<Row> { new("in-process", inProcess, (double)n / Math.Ceiling((double)n / perBatch), CpuSince(cpu)) };
            var server = new CompletionServer(engine, new ServeOptions { Port = 0, MaxBatchTokens = parse.GetValue(maxBatch), MaxQueue = Math.Max(1024, n) });
            server.StartAsync().GetAwaiter().GetResult();
            try
            {
                using var http = new HttpClient { BaseAddress = new Uri(server.Url), Timeout = TimeSpan.FromMinutes(10) };
                // Each configuration sends the prompts from c concurrent clients until all are scored.
                void Send(int c, int count)
                {
                    int next = -1;
                    Task.WhenAll(Enumerable.Range(0, c).Select(_ => Task.Run(async () =>
                    {
                        int i;
                        while ((i = Interlocked.Increment(ref next)) < count)
                        {
                            string body = JsonSerializer.Serialize(new { prompt = prompts[i], max_tokens = 0, echo = true, logprobs = 1 });
                            using var response = await http.PostAsync("/v1/completions", new StringContent(body, Encoding.UTF8, "application/json"));
                            if (!response.IsSuccessStatusCode) throw new InvalidOperationException($"serve answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
                        }
                    }))).GetAwaiter().GetResult();
                }
                // Warm-up, as in-process had: the server's and client's first requests compile their code paths, which
                // would otherwise be charged to whichever configuration runs first.
                Send(clientCounts.Max(), Math.Min(n, 2 * clientCounts.Max()));
                foreach (int c in clientCounts)
                {
                    long batches = server.Queue.Batches, sequences = server.Queue.BatchedSequences;
                    cpu = Process.GetCurrentProcess().TotalProcessorTime;
                    sw.Restart();
                    Send(c, n);
                    rows.Add(new($"serve, {c} client{(c == 1 ? "" : "s")}", tokens / sw.Elapsed.TotalSeconds,
                        (double)(server.Queue.BatchedSequences - sequences) / Math.Max(1, server.Queue.Batches - batches), CpuSince(cpu)));
                }
            }
            finally { server.DisposeAsync().AsTask().GetAwaiter().GetResult(); }

            var output = parse.InvocationConfiguration.Output;
            if (parse.GetValue(json))
            {
                output.WriteLine(JsonSerializer.Serialize(rows.Select(r => new
                {
                    config = r.Config, tokens_per_second = r.TokensPerSecond, of_in_process = r.TokensPerSecond / inProcess,
                    sequences_per_batch = r.SequencesPerBatch, cpu_seconds = r.CpuSeconds,
                }), CliJson.Options));
                return 0;
            }
            output.WriteLine($"{n} prompts x {len} tokens, echo + logprobs, micro-batches up to {parse.GetValue(maxBatch)} tokens");
            output.WriteLine("| configuration | tokens/s | of in-process | sequences per batch | CPU s |");
            output.WriteLine("|---|---:|---:|---:|---:|");
            foreach (var r in rows)
                output.WriteLine($"| {r.Config} | {r.TokensPerSecond:F0} | {r.TokensPerSecond / inProcess:P0} | {r.SequencesPerBatch:F1} | {r.CpuSeconds:F2} |");
            return 0;
        });
        return command;
    }

    private sealed record Row(string Config, double TokensPerSecond, double SequencesPerBatch, double CpuSeconds);

    private static double CpuSince(TimeSpan start) => (Process.GetCurrentProcess().TotalProcessorTime - start).TotalSeconds;
}
