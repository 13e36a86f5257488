using System.CommandLine;
using SmallLlm.Eval.Engine;
using SmallLlm.Eval.Engine.Checkpoints;

namespace SmallLlm.Eval.Cli.Commands;

/// <summary><c>smalleval convert</c>: any loadable checkpoint to a Hugging Face folder.</summary>
public static class ConvertCommand
{
    public static Command Create()
    {
        var from = new Option<string>("--from") { Description = "Source: bundled name, Hugging Face folder or llama2.c .bin.", Required = true };
        var to = new Option<string>("--to") { Description = "Destination folder (config.json + model.safetensors are written there).", Required = true };
        var dtype = ModelOptions.DType();
        dtype.Description = "dtype of the written tensors: fp32 or bf16.";
        var shard = new Option<long>("--max-shard-mb") { Description = "Split into shards of at most this many MB (0 = one file).", DefaultValueFactory = _ => 0 };
        var force = new Option<bool>("--force") { Description = "Overwrite a model already in the destination (its old shards and index are removed)." };
        var command = new Command("convert", "Write a Hugging Face folder (config.json + model.safetensors, q/k rows in rotate_half order) from any loadable checkpoint.")
        {
            from, to, dtype, shard, force,
        };
        command.SetAction(parse =>
        {
            string source = parse.GetValue(from)!, dir = parse.GetValue(to)!;
            var dt = ModelOptions.ParseDType(parse.GetValue(dtype)!);
            long shardMb = parse.GetValue(shard);
            if (shardMb < 0) throw new ArgumentException("--max-shard-mb must be >= 0");
            var existing = HuggingFaceCheckpoint.ModelFiles(dir).Append(Path.Combine(dir, HuggingFaceCheckpoint.ConfigFile)).Where(File.Exists).ToList();
            if (existing.Count > 0 && !parse.GetValue(force))
                throw new ArgumentException(
                    $"{dir} already holds a model ({string.Join(", ", existing.Select(Path.GetFileName))}): pass --force to overwrite it");
            using var weights = CheckpointLoader.Load(source, dt);
            HuggingFaceCheckpoint.Save(weights, dir, shardMb == 0 ? long.MaxValue : shardMb * 1_000_000);
            var files = HuggingFaceCheckpoint.WeightFiles(dir);
            parse.InvocationConfiguration.Output.WriteLine(
                $"wrote {dir}: config.json + {files.Count} safetensors file(s), {weights.ParameterCount:N0} parameters in {dt.Name()}");
            return 0;
        });
        return command;
    }
}
