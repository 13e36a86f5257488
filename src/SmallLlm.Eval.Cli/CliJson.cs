using System.Text.Json;
using System.Text.Json.Serialization;

namespace SmallLlm.Eval.Cli;

/// <summary>One JSON style for every --json output: snake_case, indented, nulls kept.</summary>
public static class CliJson
{
    public static readonly JsonSerializerOptions Options = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower) },
    };
}
