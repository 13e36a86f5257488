using System.Globalization;
using System.Text.Json;
using SmallLlm.Eval.Engine.Checkpoints;
using SmallLlm.Eval.Primitives;
using static TorchSharp.torch;

namespace SmallLlm.Eval.Engine.Training;

/// <summary>
/// A training checkpoint: a Hugging Face folder every command loads (config.json, model.safetensors, the tokenizer
/// files) plus what resuming needs (optimizer.safetensors with AdamW's moments, trainer_state.json with the step and tokens seen, under the Hugging Face Trainer's names, which sweep reads).
/// Written into NAME.partial and renamed into place, so a crash or a full disk never leaves a folder that looks complete.
/// </summary>
public static class TrainingCheckpoint
{
    public const string OptimizerFile = "optimizer.safetensors";
    public const string StateFile = "trainer_state.json";
    private const string Partial = ".partial";

    public sealed record State(int Step, long Tokens);

    public static void Save(string dir, TrainableLlama model, AdamW optimizer, State state, IReadOnlyList<string> extraFiles)
    {
        string partial = dir + Partial;
        if (Directory.Exists(partial)) Directory.Delete(partial, recursive: true);
        try
        {
            using (var weights = model.ToWeights()) HuggingFaceCheckpoint.Save(weights, partial);
            SafetensorsWriter.Write(Path.Combine(partial, OptimizerFile), optimizer.State(),
                new Dictionary<string, string> { ["step"] = optimizer.Step.ToString(CultureInfo.InvariantCulture) });
            AtomicFile.WriteText(Path.Combine(partial, StateFile), JsonSerializer.Serialize(new { global_step = state.Step, num_input_tokens_seen = state.Tokens }));
            foreach (string file in extraFiles) File.Copy(file, Path.Combine(partial, Path.GetFileName(file)));
            if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true);
            Directory.Move(partial, dir);
        }
        catch
        {
            if (Directory.Exists(partial)) Directory.Delete(partial, recursive: true);
            throw;
        }
    }

    public static State ReadState(string dir)
    {
        string path = Path.Combine(dir, StateFile);
        try
        {
            using var doc = JsonDocument.Parse(File.ReadAllText(path));
            return new State(doc.RootElement.GetProperty("global_step").GetInt32(), doc.RootElement.GetProperty("num_input_tokens_seen").GetInt64());
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            throw new InvalidDataException($"{path}: not a trainer state (expected {{\"global_step\": N, \"num_input_tokens_seen\": N}}): {e.Message}");
        }
    }

    /// <summary>The optimizer's moments saved in <paramref name="dir"/>, loaded into <paramref name="optimizer"/>.</summary>
    public static void RestoreOptimizer(string dir, AdamW optimizer, int step)
    {
        string path = Path.Combine(dir, OptimizerFile);
        if (!File.Exists(path)) throw new FileNotFoundException($"{dir}: no {OptimizerFile}: the checkpoint cannot be resumed");
        using var reader = new SafetensorsReader(path);
        var tensors = reader.Entries.Keys.ToDictionary(n => n, n => reader.Read(n, ScalarType.Float32));
        try { optimizer.Restore(step, tensors); }
        finally { foreach (var t in tensors.Values) t.Dispose(); }
    }

    /// <summary>The latest resumable checkpoint of a run folder (the highest step-N holding a trainer state), or null.</summary>
    public static string? Latest(string runDir) =>
        !Directory.Exists(runDir) ? null :
        Directory.EnumerateDirectories(runDir, "step-*")
            .Select(d => (Dir: d, Ok: int.TryParse(Path.GetFileName(d)["step-".Length..], NumberStyles.None, CultureInfo.InvariantCulture, out int n), Step: n))
            .Where(d => d.Ok && File.Exists(Path.Combine(d.Dir, StateFile)))
            .OrderByDescending(d => d.Step).Select(d => d.Dir).FirstOrDefault();
}
