using Microsoft.Data.Sqlite;

namespace SmallLlm.Eval.TestSupport;

/// <summary>Answers committed so far to a run's request cache, read while the run may still be writing it.</summary>
public static class RequestCacheRows
{
    public static long Count(string path)
    {
        if (!File.Exists(path)) return 0;
        try
        {
            using var db = new SqliteConnection($"Data Source={path};Mode=ReadOnly;Pooling=False");
            db.Open();
            using var cmd = db.CreateCommand();
            cmd.CommandText = "SELECT COUNT(*) FROM responses";
            return (long)cmd.ExecuteScalar()!;
        }
        catch (SqliteException) { return 0; } // not created yet
    }
}
