using System.CommandLine;
using System.Globalization;
using SmallLlm.Eval.Engine;
using SmallLlm.Eval.Engine.Benchmarks;
using SmallLlm.Eval.Engine.Training;
using SmallLlm.Eval.Reports.Plots;
using SmallLlm.Eval.Training;

namespace SmallLlm.Eval.Cli.Commands;

/// <summary><c>smalleval train</c>: trains a Llama-architecture model on the CPU (parse, call TrainingJob, print).</summary>
public static class TrainCommand
{
    public static Command Create()
    {
        var shape = new Option<string?>("--shape") { Description = $"Train from scratch in a named shape: {string.Join(", ", TrainingShapes.Names)} (vocab from the tokenizer)." };
        var config = new Option<string?>("--config") { Description = "Train from scratch in the shape of a Hugging Face config.json (llama, or qwen2 without sliding window)." };
        var init = new Option<string?>("--init") { Description = "Start from a checkpoint: a bundled name (stories260K), a Hugging Face folder or a llama2.c .bin." };
        var tokenizer = ModelOptions.Tokenizer();
        tokenizer.Description = "Tokenizer for the data: a name or file. Default: the --init model's own; tok512 for --shape stories260K; llama2 for the other shapes.";
        var vocab = new Option<int?>("--vocab") { Description = "vocab_size of a new model (default: the tokenizer's size)." };
        var data = new Option<string?>("--data") { Description = "Training text: a file, or a folder of files (read in sorted order, each as [BOS] + its tokens). Required unless --resume." };
        var order = new Option<string>("--data-order") { Description = "sequential (row r of step s starts at ((s*B + r)*L) mod (len - L - 1)) or shuffled (offsets drawn from --seed).", DefaultValueFactory = _ => "sequential" };
        var seed = new Option<long>("--seed") { Description = "Seed of the initialization and of shuffled offsets.", DefaultValueFactory = _ => 1337 };
        var lr = new Option<double>("--lr") { Description = "Peak learning rate.", DefaultValueFactory = _ => 5e-4 };
        var minLr = new Option<double?>("--min-lr") { Description = "Final learning rate of cosine and wsd (default: lr/10)." };
        var warmup = new Option<int>("--warmup") { Description = "Linear warmup steps: lr*(s+1)/(warmup+1).", DefaultValueFactory = _ => 0 };
        var schedule = new Option<string>("--schedule") { Description = "constant, cosine (to --min-lr) or wsd (flat, then linear to --min-lr over the last 20% of steps).", DefaultValueFactory = _ => "cosine" };
        var weightDecay = new Option<double>("--weight-decay") { Description = "AdamW decoupled weight decay, on parameters with >= 2 dimensions only.", DefaultValueFactory = _ => 0.1 };
        var beta1 = new Option<double>("--beta1") { Description = "AdamW beta1.", DefaultValueFactory = _ => 0.9 };
        var beta2 = new Option<double>("--beta2") { Description = "AdamW beta2.", DefaultValueFactory = _ => 0.95 };
        var eps = new Option<double>("--eps") { Description = "AdamW eps.", DefaultValueFactory = _ => 1e-8 };
        var clip = new Option<double>("--clip") { Description = "Clip the global gradient norm to this (clip_grad_norm_); 0 = no clipping.", DefaultValueFactory = _ => 1.0 };
        var batch = new Option<int>("--batch") { Description = "Rows per micro-batch.", DefaultValueFactory = _ => 8 };
        var seq = new Option<int>("--seq") { Description = "Tokens per row (L).", DefaultValueFactory = _ => 256 };
        var steps = new Option<int?>("--steps") { Description = "Optimizer steps to take." };
        var tokens = new Option<long?>("--tokens") { Description = "Train on this many tokens instead (steps = ceil(tokens / (batch * grad-accum * seq)))." };
        var gradAccum = new Option<int>("--grad-accum") { Description = "Micro-batches per optimizer step (B = batch * grad-accum rows).", DefaultValueFactory = _ => 1 };
        var dtype = new Option<string>("--dtype") { Description = "Compute precision: fp32 (bf16 is not implemented for training yet).", DefaultValueFactory = _ => "fp32" };
        var saveEvery = new Option<int>("--save-every") { Description = "Save DIR/step-N/ every N steps (0: only final/).", DefaultValueFactory = _ => 0 };
        var output = new Option<string?>("--output", "-o") { Description = "Run folder: train_log.jsonl, settings.json, loss.png, step-N/ and final/ (Hugging Face folders)." };
        var force = new Option<bool>("--force") { Description = "Start over in a non-empty --output folder (its contents are removed)." };
        var resume = new Option<string?>("--resume") { Description = "Continue the run in this folder from its last checkpoint, with its saved settings." };
        var json = ModelOptions.Json();
        var command = new Command("train", "Train a Llama-architecture model on the CPU (TorchSharp autograd, AdamW as torch.optim.AdamW) from a shape or a checkpoint; writes Hugging Face checkpoints every command loads.")
        {
            shape, config, init, tokenizer, vocab, data, order, seed, lr, minLr, warmup, schedule, weightDecay, beta1, beta2, eps, clip,
            batch, seq, steps, tokens, gradAccum, dtype, saveEvery, output, force, resume, json,
        };
        command.SetAction(parse =>
        {
            var err = parse.InvocationConfiguration.Error;
            var outWriter = parse.InvocationConfiguration.Output;
            if (!parse.GetValue(dtype)!.Equals("fp32", StringComparison.OrdinalIgnoreCase))
                throw new ArgumentException($"--dtype {parse.GetValue(dtype)}: training computes in fp32 only (bf16 training is not implemented)");
            string? resumeDir = parse.GetValue(resume);
            TrainingRequest request;
            if (resumeDir is not null)
            {
                if (parse.GetValue(output) is { } o && Path.GetFullPath(o) != Path.GetFullPath(resumeDir))
                    throw new ArgumentException("--resume DIR continues the run in DIR: do not give a different --output");
                request = TrainingJob.SavedRequest(resumeDir);
            }
            else
            {
                request = new TrainingRequest
                {
                    Shape = parse.GetValue(shape), ConfigPath = parse.GetValue(config), Init = parse.GetValue(init),
                    Tokenizer = parse.GetValue(tokenizer), Vocab = parse.GetValue(vocab), Data = parse.GetValue(data) ?? throw new ArgumentException("give the training text: --data FILE|FOLDER"),
                    Order = ParseOrder(parse.GetValue(order)!), Seed = parse.GetValue(seed),
                    LearningRate = parse.GetValue(lr), MinLearningRate = parse.GetValue(minLr), Warmup = parse.GetValue(warmup),
                    Schedule = LearningRateSchedule.Parse(parse.GetValue(schedule)!), WeightDecay = parse.GetValue(weightDecay),
                    Beta1 = parse.GetValue(beta1), Beta2 = parse.GetValue(beta2), Eps = parse.GetValue(eps), Clip = parse.GetValue(clip),
                    Batch = parse.GetValue(batch), Sequence = parse.GetValue(seq), Steps = parse.GetValue(steps), Tokens = parse.GetValue(tokens),
                    GradAccum = parse.GetValue(gradAccum), SaveEvery = parse.GetValue(saveEvery),
                    Output = parse.GetValue(output) ?? throw new ArgumentException("give the run folder: -o DIR (or --resume DIR)"),
                    Force = parse.GetValue(force),
                    Arguments = parse.Tokens.Select(t => t.Value).ToList(),
                };
            }
            using var ctrlC = new CtrlC(err, "interrupt: finishing this step and saving a checkpoint; Ctrl-C again to abort at once");
            double peak = EngineBenchmark.MeasureMatmulPeakGflops(ModelDType.Float32, repeats: 5); // for the MFU column: a quiet machine is needed for it to mean anything
            var progress = new TrainingProgressLine(err, !Console.IsErrorRedirected);
            var result = TrainingJob.Run(request, progress.Report, line => err.WriteLine(line), peak, ctrlC.Token);
            progress.Finish();
            string log = Path.Combine(result.Output, TrainingLog.FileName);
            string? png = File.Exists(log) ? TrainingLossPlot.Save(log, $"training loss: {Path.GetFileName(Path.GetFullPath(result.Output))}", Path.Combine(result.Output, "loss")) : null;
            if (parse.GetValue(json))
                outWriter.WriteLine(System.Text.Json.JsonSerializer.Serialize(result, CliJson.Options));
            else
                outWriter.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{(result.Interrupted ? "interrupted after" : "trained")} {result.Steps} steps ({result.Tokens:N0} tokens), {result.Parameters:N0} parameters, last loss {result.LastLoss:F4}; checkpoint {result.Checkpoint}{(png is null ? "" : "; loss curve " + png)}"));
            if (result.Interrupted)
            {
                err.WriteLine($"interrupted: checkpoint saved in {result.Checkpoint}; continue with: smalleval train --resume {result.Output}");
                return CommandRunner.Interrupted;
            }
            return 0;
        });
        return command;
    }

    private static DataOrder ParseOrder(string text) => text.ToLowerInvariant() switch
    {
        "sequential" => DataOrder.Sequential,
        "shuffled" => DataOrder.Shuffled,
        _ => throw new ArgumentException($"--data-order '{text}': expected sequential or shuffled"),
    };
}
