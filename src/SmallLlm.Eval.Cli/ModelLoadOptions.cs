using System.CommandLine;
using SmallLlm.Eval.Runner;

namespace SmallLlm.Eval.Cli;

/// <summary>
/// How a job's model loads: precision, tokenizer, engine (built-in, llama.cpp) or an OpenAI-compatible server. One
/// option group for <c>eval</c>, <c>sweep</c> and <c>run</c> (where a given option overrides the config entry).
/// </summary>
public sealed class ModelLoadOptions
{
    public Option<string> DType { get; } = ModelOptions.DType();
    public Option<string?> Tokenizer { get; } = ModelOptions.Tokenizer();
    public Option<string> Backend { get; } = ModelBackends.BackendOption();
    public Option<bool> Fast { get; } = ModelBackends.FastOption();
    public RemoteCliOptions Remote { get; } = new();

    public void AddTo(Command command)
    {
        foreach (var o in new Option[] { DType, Tokenizer, Backend, Fast }.Concat(Remote.All)) command.Options.Add(o);
    }

    /// <summary>The job with its model's loading settings; <paramref name="entry"/> (a config file's model) fills in what no option gives.</summary>
    /// <param name="remoteModel">The server's model name where neither --remote-model nor the entry gives one.</param>
    public EvalJobSpec Apply(ParseResult parse, EvalJobSpec spec, Configuration.ModelEntry? entry = null, string? remoteModel = null)
    {
        bool dtypeGiven = parse.GetResult(DType) is { Implicit: false };
        var dtype = ModelOptions.ResolveDType(entry is not null && !dtypeGiven ? entry.DType : parse.GetValue(DType)!, spec.Model);
        var remote = Remote.Read(parse, spec.Model, entry?.RemoteModel ?? remoteModel, entry?.ApiKeyEnv);
        return spec with
        {
            DType = dtype.DType,
            DTypeChoice = dtype,
            Tokenizer = parse.GetValue(Tokenizer) ?? entry?.Tokenizer,
            LoadModel = ModelBackends.JobLoader(parse.GetValue(Backend)!, parse.GetValue(Fast), remote),
        };
    }
}
