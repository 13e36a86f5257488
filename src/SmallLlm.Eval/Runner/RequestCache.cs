using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using SmallLlm.Eval.Requests;

namespace SmallLlm.Eval.Runner;

/// <summary>
/// Answers already computed, in SQLite, keyed by the model's cache key and the request. Each batch is committed as it
/// finishes, so a killed run loses at most the batch in flight and a rerun computes only what is missing.
/// </summary>
public sealed class RequestCache : IDisposable
{
    private readonly SqliteConnection _db;
    public string Path { get; }

    public RequestCache(string path)
    {
        Path = path;
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path))!);
        _db = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString());
        _db.Open();
        Execute("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;");
        Execute("CREATE TABLE IF NOT EXISTS responses (model TEXT NOT NULL, request TEXT NOT NULL, response TEXT NOT NULL, PRIMARY KEY (model, request)) WITHOUT ROWID;");
    }

    private void Execute(string sql)
    {
        using var cmd = _db.CreateCommand();
        cmd.CommandText = sql;
        cmd.ExecuteNonQuery();
    }

    /// <summary>A stable key for a request: the SHA-256 of its kind and fields.</summary>
    public static string Key(ModelRequest request)
    {
        string text = request switch
        {
            LoglikelihoodRequest r => JsonSerializer.Serialize(new object[] { "loglikelihood", r.Context, r.Continuation }),
            RollingLoglikelihoodRequest r => JsonSerializer.Serialize(new object[] { "rolling", r.Text }),
            GenerateRequest r => JsonSerializer.Serialize(new object[] { "generate", r.Context, r.Until, r.MaxTokens, r.Temperature, r.Seed }),
            _ => throw new ArgumentException($"unknown request type {request.GetType().Name}"),
        };
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
    }

    // NaN and infinities as "NaN"/"Infinity" strings: answers recorded under --allow-nonfinite are cached too.
    private static readonly JsonSerializerOptions Json = new() { NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals };

    public Dictionary<string, T> Lookup<T>(string model, IEnumerable<string> keys) where T : ModelResponse
    {
        var found = new Dictionary<string, T>();
        using var cmd = _db.CreateCommand();
        cmd.CommandText = "SELECT response FROM responses WHERE model = $m AND request = $r";
        var m = cmd.Parameters.Add("$m", SqliteType.Text);
        var r = cmd.Parameters.Add("$r", SqliteType.Text);
        m.Value = model;
        foreach (var key in keys.Distinct())
        {
            r.Value = key;
            if (cmd.ExecuteScalar() is string json && JsonSerializer.Deserialize<T>(json, Json) is { } value) found[key] = value;
        }
        return found;
    }

    public void Store<T>(string model, IEnumerable<(string Key, T Response)> items) where T : ModelResponse
    {
        using var tx = _db.BeginTransaction();
        using var cmd = _db.CreateCommand();
        cmd.Transaction = tx;
        cmd.CommandText = "INSERT OR REPLACE INTO responses (model, request, response) VALUES ($m, $r, $v)";
        var m = cmd.Parameters.Add("$m", SqliteType.Text);
        var r = cmd.Parameters.Add("$r", SqliteType.Text);
        var v = cmd.Parameters.Add("$v", SqliteType.Text);
        m.Value = model;
        foreach (var (key, response) in items)
        {
            r.Value = key;
            v.Value = JsonSerializer.Serialize(response, Json);
            cmd.ExecuteNonQuery();
        }
        tx.Commit();
    }

    /// <summary>Copies every answer of another cache file into this one (pooling the caches of a run's shards).</summary>
    public void ImportFrom(string otherPath)
    {
        using var cmd = _db.CreateCommand();
        cmd.CommandText = "ATTACH DATABASE $p AS other";
        cmd.Parameters.AddWithValue("$p", otherPath);
        cmd.ExecuteNonQuery();
        try { Execute("INSERT OR IGNORE INTO responses SELECT model, request, response FROM other.responses"); }
        finally { Execute("DETACH DATABASE other"); }
    }

    public void Dispose() => _db.Dispose();
}
