using System.Text.Json;

namespace SmallLlm.Eval.Tasks.Data;

/// <summary>Typed reads of one JSONL record's fields that never throw: a record that is not an object, or a field of
/// the wrong type (a float where an integer belongs, a number among strings), reads as absent, so the caller reports
/// that row with its file:line and skips it instead of failing the whole task.</summary>
public static class JsonFields
{
    public static bool TryGet(JsonElement record, string name, out JsonElement value)
    {
        value = default;
        return record.ValueKind == JsonValueKind.Object && record.TryGetProperty(name, out value);
    }

    public static string? String(JsonElement record, string name) =>
        TryGet(record, name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    /// <summary>An integer field (1 or 1.0 both count; 1.5, "1" and 1e40 do not).</summary>
    public static int? Int(JsonElement record, string name) =>
        TryGet(record, name, out var v) ? Int(v) : null;

    public static int? Int(JsonElement value)
    {
        if (value.ValueKind != JsonValueKind.Number) return null;
        if (value.TryGetInt32(out int i)) return i;
        return value.TryGetDouble(out double d) && d == Math.Floor(d) && d is >= int.MinValue and <= int.MaxValue ? (int)d : null;
    }

    /// <summary>An array of strings, or null when the field is missing, not an array, or holds anything else.</summary>
    public static List<string>? Strings(JsonElement record, string name)
    {
        if (!TryGet(record, name, out var v) || v.ValueKind != JsonValueKind.Array) return null;
        var list = new List<string>();
        foreach (var x in v.EnumerateArray())
        {
            if (x.ValueKind != JsonValueKind.String) return null;
            list.Add(x.GetString()!);
        }
        return list;
    }
}
