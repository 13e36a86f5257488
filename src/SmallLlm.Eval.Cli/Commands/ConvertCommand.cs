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
        dtype.DefaultValueFactory = _ => "fp32";
        var shard = new Option<long>("--max-shard-mb") { Description = "Split into shards of at most this many MB (0 = one file).", DefaultValueFactory = _ => 0 };
        var ggufType = new Option<string>("--type") { Description = "GGUF only (--to FILE.gguf): tensor type f32, f16 or bf16 (norms stay f32).", DefaultValueFactory = _ => "f32" };
        var tokenizer = ModelOptions.Tokenizer();
        var force = new Option<bool>("--force") { Description = "Overwrite a model already in the destination (its old shards and index are removed)." };
        var command = new Command("convert", "Write a Hugging Face folder (config.json + model.safetensors, q/k rows in rotate_half order) or, with --to FILE.gguf, a llama.cpp GGUF with the tokenizer in its metadata, from any loadable checkpoint.")
        {
            from, to, dtype, shard, ggufType, tokenizer, force,
        };
        command.SetAction(parse =>
        {
            string source = parse.GetValue(from)!, dir = parse.GetValue(to)!;
            if (SmallLlm.Eval.Engine.Gguf.GgufFile.LooksLikeGguf(dir))
            {
                if (File.Exists(dir) && !parse.GetValue(force))
                    throw new ArgumentException($"{dir} already exists: pass --force to overwrite it");
                var type = SmallLlm.Eval.Engine.Gguf.GgufCheckpointWriter.ParseType(parse.GetValue(ggufType)!);
                var summary = SmallLlm.Eval.Conversion.GgufConversion.Convert(source, dir, type, parse.GetValue(tokenizer));
                parse.InvocationConfiguration.Output.WriteLine(
                    $"wrote {dir}: GGUF {summary.FileType}, {summary.TensorCount} tensors, {summary.Parameters:N0} parameters, {summary.BitsPerWeight:F2} bits/weight, tokenizer {summary.TokenizerModel} ({summary.VocabSize:N0} tokens), {Units.Bytes(summary.FileSize)}");
                return 0;
            }
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
