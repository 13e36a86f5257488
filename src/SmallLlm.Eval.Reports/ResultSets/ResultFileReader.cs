using System.Text.Json;

namespace SmallLlm.Eval.Reports.ResultSets;

/// <summary>
/// Reads results files by their JSON schema (README "Results"), tolerating fields it does not know. A file that is
/// not valid JSON, lacks a required field or has another schema version is skipped with a warning naming it, or
/// stops the read with <c>strict</c>: a report built from half the files must say so.
/// </summary>
public static class ResultFileReader
{
    /// <summary>2 declares each metric; 1 (still read) leaves direction and headline to be inferred from names.</summary>
    public const int SupportedSchemaVersion = 2;

    /// <summary>
    /// The results under <paramref name="path"/> (a folder, searched recursively, or one .json file): for each model
    /// and task the latest run (see <see cref="RunSelection"/>), or the runs named in <paramref name="runs"/> (run ids).
    /// </summary>
    public static ResultSet Read(string path, bool strict = false, IReadOnlyCollection<string>? runs = null)
    {
        var all = ReadAll(path, strict);
        return RunSelection.Select(all, runs);
    }

    /// <summary>Every results file under <paramref name="path"/>, every run of it.</summary>
    public static ResultSet ReadAll(string path, bool strict = false)
    {
        var files = new List<ResultFile>();
        var warnings = new List<string>();
        IEnumerable<string> candidates;
        if (File.Exists(path)) candidates = [path];
        else if (Directory.Exists(path)) candidates = EnumerateJson(path);
        else throw new DirectoryNotFoundException($"results '{path}' not found: not a folder, not a file");

        foreach (string file in candidates)
        {
            try { files.Add(ReadFile(file)); }
            catch (InvalidDataException e)
            {
                if (strict) throw new InvalidDataException($"{e.Message} (--strict: not skipped)");
                warnings.Add($"skipped {e.Message}");
            }
        }
        if (files.Count == 0)
            throw new InvalidDataException($"no readable results files under '{path}'" + (warnings.Count > 0 ? $" ({warnings.Count} skipped: {warnings[0]})" : ""));
        var schema1 = files.Where(f => f.SchemaVersion == 1).ToList();
        if (schema1.Count > 0)
            warnings.Add($"{schema1.Count} results file(s) use schema 1 (e.g. {schema1[0].Path}): metric directions and headlines are inferred from their names; rerun to get schema 2's declarations");
        foreach (var f in files.Where(f => f.SamplesPath is not null && !File.Exists(f.SamplesPath)))
            warnings.Add($"{f.Path}: per-sample file {Path.GetFileName(f.SamplesPath)} is missing: paired tests fall back to standard errors");
        return new ResultSet(path, files, warnings);
    }

    /// <summary>*.json below the folder, in ordinal order, leaving out hidden folders (.cache) and checkpoint configs.</summary>
    private static IEnumerable<string> EnumerateJson(string dir) =>
        Directory.EnumerateFiles(dir, "*.json", SearchOption.AllDirectories)
            .Where(f => !Path.GetRelativePath(dir, f).Split(Path.DirectorySeparatorChar).Any(part => part.StartsWith('.')))
            .Where(f => Path.GetFileName(f) is not ("config.json" or "trainer_state.json" or "generation_config.json" or "model.safetensors.index.json" or "tokenizer.json" or "tokenizer_config.json" or "sweep.json"))
            .Order(StringComparer.Ordinal);

    public static ResultFile ReadFile(string file)
    {
        JsonDocument doc;
        try { doc = JsonDocument.Parse(File.ReadAllText(file), new JsonDocumentOptions { AllowTrailingCommas = true }); }
        catch (JsonException e) { throw new InvalidDataException($"{file}: not valid JSON (partial or corrupt file?): {e.Message}"); }
        using (doc)
        {
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object) throw new InvalidDataException($"{file}: not a results file (expected a JSON object)");
            int schema = root.TryGetProperty("schema_version", out var sv) && sv.ValueKind == JsonValueKind.Number ? sv.GetInt32()
                : throw new InvalidDataException($"{file}: not a results file (no schema_version)");
            if (schema is < 1 or > SupportedSchemaVersion)
                throw new InvalidDataException($"{file}: results schema version {schema}, this reader knows versions 1 to {SupportedSchemaVersion} (written by a newer harness?)");
            var task = Object(root, "task", file);
            var model = Object(root, "model", file);
            var metrics = Metrics(Object(root, "metrics", file), file);
            if (schema >= 2) metrics = Declare(metrics, Object(root, "metric_declarations", file), file);
            if (metrics.Count == 0) throw new InvalidDataException($"{file}: results file holds no metrics (partial file?)");
            var settings = new Dictionary<string, string>(StringComparer.Ordinal);
            if (task.TryGetProperty("settings", out var st) && st.ValueKind == JsonValueKind.Object)
                foreach (var p in st.EnumerateObject())
                    settings[p.Name] = p.Value.ValueKind == JsonValueKind.String ? p.Value.GetString()! : p.Value.GetRawText();
            var breakdown = new Dictionary<string, IReadOnlyDictionary<string, ResultMetric>>(StringComparer.Ordinal);
            if (root.TryGetProperty("breakdown", out var bd) && bd.ValueKind == JsonValueKind.Object)
                foreach (var kind in bd.EnumerateObject().Where(k => k.Value.ValueKind == JsonValueKind.Object))
                    breakdown[kind.Name] = Metrics(kind.Value, file);
            string runDir = Path.GetDirectoryName(Path.GetFullPath(file))!;
            bool inRunFolder = File.Exists(Path.Combine(Path.GetDirectoryName(runDir) ?? runDir, "latest"));
            string modelDir = inRunFolder ? Path.GetDirectoryName(runDir)! : runDir;
            string? samples = root.TryGetProperty("samples_file", out var sf) && sf.ValueKind == JsonValueKind.String && sf.GetString() is { Length: > 0 } s
                ? Path.Combine(Path.GetDirectoryName(Path.GetFullPath(file))!, s) : null;
            return new ResultFile
            {
                Path = file,
                SchemaVersion = schema,
                Task = String(task, "name", file, "task.name"),
                TaskVersion = task.TryGetProperty("version", out var tv) ? (tv.ValueKind == JsonValueKind.String ? tv.GetString()! : tv.GetRawText()) : "",
                DataSha256 = String(task, "data_sha256", file, "task.data_sha256"),
                Settings = settings,
                Model = String(model, "name", file, "model.name"),
                ModelId = Path.GetFileName(modelDir),
                RunId = inRunFolder ? Path.GetFileName(runDir) : "",
                ModelDirectory = modelDir,
                ModelPath = OptionalString(model, "path") ?? "",
                WeightsSha256 = OptionalString(model, "weights_sha256") ?? "",
                DType = OptionalString(model, "dtype") ?? "",
                Parameters = model.TryGetProperty("parameters", out var pc) && pc.ValueKind == JsonValueKind.Number ? pc.GetInt64() : 0,
                Tokenizer = OptionalString(model, "tokenizer") ?? "",
                HarnessVersion = root.TryGetProperty("harness", out var h) && h.ValueKind == JsonValueKind.Object ? OptionalString(h, "version") ?? "" : "",
                Metrics = metrics,
                Breakdown = breakdown,
                VocabSize = model.TryGetProperty("vocab_size", out var vs) && vs.ValueKind == JsonValueKind.Number ? vs.GetInt32() : null,
                Counts = Counts(root),
                SamplesPath = samples,
                ShotsHistogram = root.TryGetProperty("shots_histogram", out var sh) && sh.ValueKind == JsonValueKind.Object
                    ? sh.EnumerateObject().Where(p => p.Value.ValueKind == JsonValueKind.Number).ToDictionary(p => p.Name, p => p.Value.GetInt64())
                    : null,
            };
        }
    }

    /// <summary>The numeric entries of "counts" (documents, shots_dropped, truncated_prompts, ...).</summary>
    private static Dictionary<string, long> Counts(JsonElement root)
    {
        var counts = new Dictionary<string, long>(StringComparer.Ordinal);
        if (root.TryGetProperty("counts", out var c) && c.ValueKind == JsonValueKind.Object)
            foreach (var p in c.EnumerateObject())
                if (p.Value.ValueKind == JsonValueKind.Number && p.Value.TryGetInt64(out long v)) counts[p.Name] = v;
        return counts;
    }

    private static JsonElement Object(JsonElement parent, string name, string file) =>
        parent.TryGetProperty(name, out var e) && e.ValueKind == JsonValueKind.Object ? e
            : throw new InvalidDataException($"{file}: results file has no '{name}' object (partial file?)");

    private static string String(JsonElement parent, string name, string file, string path) =>
        OptionalString(parent, name) ?? throw new InvalidDataException($"{file}: results file has no {path} (partial file?)");

    private static string? OptionalString(JsonElement parent, string name) =>
        parent.TryGetProperty(name, out var e) && e.ValueKind == JsonValueKind.String ? e.GetString() : null;

    private static Dictionary<string, ResultMetric> Declare(Dictionary<string, ResultMetric> metrics, JsonElement declarations, string file)
    {
        var result = new Dictionary<string, ResultMetric>(StringComparer.Ordinal);
        foreach (var (name, m) in metrics)
        {
            if (!declarations.TryGetProperty(name, out var d) || d.ValueKind != JsonValueKind.Object)
                throw new InvalidDataException($"{file}: metric '{name}' has no declaration in metric_declarations (schema 2)");
            bool Flag(string key) => d.TryGetProperty(key, out var v) && v.ValueKind is JsonValueKind.True or JsonValueKind.False ? v.GetBoolean()
                : throw new InvalidDataException($"{file}: metric_declarations.{name}.{key} must be true or false");
            result[name] = m with
            {
                Declared = new DeclaredMetric(Flag("higher_is_better"), OptionalString(d, "aggregation") ?? "", Flag("proportion"),
                    OptionalString(d, "sample_field"), d.TryGetProperty("headline", out var h) && h.ValueKind == JsonValueKind.True),
            };
        }
        return result;
    }

    private static Dictionary<string, ResultMetric> Metrics(JsonElement obj, string file)
    {
        var result = new Dictionary<string, ResultMetric>(StringComparer.Ordinal);
        foreach (var m in obj.EnumerateObject())
        {
            if (m.Value.ValueKind != JsonValueKind.Object || !m.Value.TryGetProperty("value", out var v))
                throw new InvalidDataException($"{file}: metric '{m.Name}' has no value");
            double value = Number(v, file, m.Name);
            double? se = m.Value.TryGetProperty("stderr", out var s) && s.ValueKind != JsonValueKind.Null ? Number(s, file, m.Name) : null;
            int n = m.Value.TryGetProperty("n", out var ne) && ne.ValueKind == JsonValueKind.Number ? ne.GetInt32() : 0;
            result[m.Name] = new ResultMetric(value, se, n);
        }
        return result;
    }

    // The writer allows NaN/Infinity as strings ("NaN"): read them back the same way.
    private static double Number(JsonElement e, string file, string metric) => e.ValueKind switch
    {
        JsonValueKind.Number => e.GetDouble(),
        JsonValueKind.String when double.TryParse(e.GetString(), System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var d) => d,
        _ => throw new InvalidDataException($"{file}: metric '{metric}' is not a number"),
    };
}
