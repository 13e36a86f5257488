using System.Text.Json;
using System.Text.Json.Nodes;

namespace SmallLlm.Eval.Engine.Checkpoints;

/// <summary>Typed fields of a JSON object, each error naming the file and the field; JSON null counts as absent.</summary>
internal sealed class JsonFields(JsonObject o, string source)
{
    private JsonNode? Get(string field) => o[field];

    public int Int(string field, int? fallback = null) =>
        OptionalInt(field) ?? fallback ?? throw new InvalidDataException($"{source}: missing field '{field}' (an integer)");

    public int? OptionalInt(string field)
    {
        var n = Get(field);
        if (n is null) return null;
        if (n.GetValueKind() == JsonValueKind.Number && n.AsValue().TryGetValue<int>(out int i)) return i;
        if (n.GetValueKind() == JsonValueKind.Number && n.AsValue().TryGetValue<double>(out double d) && d == Math.Floor(d) && Math.Abs(d) <= int.MaxValue)
            return (int)d;
        throw new InvalidDataException($"{source}: field '{field}' must be an integer (32-bit), got {n.ToJsonString()}");
    }

    public double Double(string field, double fallback)
    {
        var n = Get(field);
        if (n is null) return fallback;
        if (n.GetValueKind() == JsonValueKind.Number && n.AsValue().TryGetValue<double>(out double d)) return d;
        throw new InvalidDataException($"{source}: field '{field}' must be a number, got {n.ToJsonString()}");
    }

    public bool? Bool(string field)
    {
        var n = Get(field);
        if (n is null) return null;
        return n.GetValueKind() switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            _ => throw new InvalidDataException($"{source}: field '{field}' must be true or false, got {n.ToJsonString()}"),
        };
    }

    public string? String(string field)
    {
        var n = Get(field);
        if (n is null) return null;
        if (n.GetValueKind() == JsonValueKind.String) return n.GetValue<string>();
        throw new InvalidDataException($"{source}: field '{field}' must be a string, got {n.ToJsonString()}");
    }

    /// <summary>A token id, or the first of a list (Llama 3.1 lists several EOS ids).</summary>
    public int? TokenId(string field)
    {
        var n = Get(field);
        if (n is JsonArray a)
        {
            if (a.Count == 0) return null;
            if (a[0] is JsonValue v && v.TryGetValue<int>(out int first)) return first;
            throw new InvalidDataException($"{source}: field '{field}' must list integer token ids, got {n.ToJsonString()}");
        }
        return OptionalInt(field);
    }
}
