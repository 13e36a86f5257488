using Microsoft.Data.Sqlite;

namespace SmallLlm.Eval.TestSupport;

/// <summary>How many answers a request cache (SQLite) holds, read while another process may be writing it.</summary>
public static class RequestCacheRows
{
    public static long Count(string db)
    {
        if (!File.Exists(db)) return 0;
        try
        {
            using var c = new SqliteConnection($"Data Source={db};Mode=ReadOnly;Pooling=False");
            c.Open();
            using var cmd = c.CreateCommand();
            cmd.CommandText = "SELECT COUNT(*) FROM responses";
            return (long)cmd.ExecuteScalar()!;
        }
        catch (SqliteException) { return 0; } // table not created yet, or locked for a moment
    }
}
