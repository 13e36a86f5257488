using System.Collections.Concurrent;
using System.Reflection;
using System.Text.Json;

namespace SmallLlm.Eval.Tasks.Kit;

/// <summary>
/// Typed per-sample records: a kind declares a record (<c>record Sample(int DocId, bool Correct, …)</c>) and this turns
/// it into the samples file's fields, named in snake_case (DocId → doc_id) in declaration order, values as they are.
/// </summary>
public static class SampleRecord
{
    private static readonly ConcurrentDictionary<Type, (string Name, PropertyInfo Property)[]> Layouts = new();

    public static IReadOnlyDictionary<string, object?> Of<T>(T record) where T : notnull
    {
        var layout = Layouts.GetOrAdd(typeof(T), t => t.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.GetIndexParameters().Length == 0 && p.Name != "EqualityContract")
            .OrderBy(p => p.MetadataToken)
            .Select(p => (JsonNamingPolicy.SnakeCaseLower.ConvertName(p.Name), p)).ToArray());
        var fields = new Dictionary<string, object?>(layout.Length);
        foreach (var (name, property) in layout) fields[name] = property.GetValue(record);
        return fields;
    }
}
