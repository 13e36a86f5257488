using Microsoft.Data.Sqlite;

namespace SmallLlm.Eval.TestSupport;

/// <summary>Answers committed to a request cache file, read while a run may be writing it.</summary>
public static class CacheRows
{
    /// <summary>0 while the file or its table does not exist yet, or the file is locked for a moment.</summary>
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
        catch (SqliteException) { return 0; }
    }
}
