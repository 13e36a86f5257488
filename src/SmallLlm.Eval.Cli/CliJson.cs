using System.Text.Json;
using System.Text.Json.Serialization;
using SmallLlm.Eval.Results;

namespace SmallLlm.Eval.Cli;

/// <summary>One JSON style for every --json output: the result files' (snake_case, indented, nulls and NaN kept), enums as snake_case names.</summary>
public static class CliJson
{
    public static readonly JsonSerializerOptions Options = new(ResultFiles.Json) { Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower) } };
}
