namespace SmallLlm.Eval.Tokenizers.ChatTemplates;

/// <summary>Python-style binding of a call's arguments: by position, else by keyword, else the default.</summary>
internal readonly record struct JinjaArguments(string Function, List<object?> Positional, List<KeyValuePair<string, object?>> Keyword)
{
    public object? Get(int index, string name, object? fallback)
    {
        if (index >= 0 && index < Positional.Count) return Positional[index];
        foreach (var (k, v) in Keyword) if (k == name) return v;
        return fallback;
    }

    public string? String(int index, string name, string? fallback) => Get(index, name, fallback) switch
    {
        null => null,
        string s => s,
        var other => throw new InvalidOperationException($"{Function}(): '{name}' must be a string, not {JinjaValues.TypeName(other)}"),
    };

    public bool Bool(int index, string name, bool fallback) => JinjaValues.Truthy(Get(index, name, fallback));

    public long? Long(int index, string name, long? fallback) => Get(index, name, fallback) switch
    {
        null => null,
        long l => l,
        bool b => b ? 1 : 0,
        var other => throw new InvalidOperationException($"{Function}(): '{name}' must be an integer, not {JinjaValues.TypeName(other)}"),
    };

    /// <summary>Refuses arguments the function does not take, as Python would.</summary>
    public JinjaArguments Takes(params string[] names)
    {
        if (Positional.Count > names.Length) throw new InvalidOperationException($"{Function}() takes at most {names.Length} argument(s), got {Positional.Count}");
        foreach (var (k, _) in Keyword)
            if (!names.Contains(k)) throw new InvalidOperationException($"{Function}() got an unexpected keyword argument '{k}'");
        return this;
    }
}
