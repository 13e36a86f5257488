using System.CommandLine;
using System.Text.Json;
using SmallLlm.Eval.Models;
using SmallLlm.Eval.Runner;
using SmallLlm.Eval.Tasks;
using SmallLlm.Eval.Tokenizers;

namespace SmallLlm.Eval.Cli.Commands;

/// <summary><c>smalleval merge</c>: the results of a sharded run from its shard folders.</summary>
public static class MergeCommand
{
    public static Command Create()
    {
        var folders = new Argument<string[]>("shards") { Description = "The shard folders (each written by `eval --shard I/N`).", Arity = ArgumentArity.OneOrMore };
        var output = new Option<string>("--output", "-o") { Description = "Results folder for the merged run.", Required = true };
        var force = new Option<bool>("--force") { Description = "Merge into a folder that is not empty (a shard's, a results folder): the merged run and its own request cache are added beside what is there; nothing is deleted." };
        var json = ModelOptions.Json();
        var allowCode = new Option<bool>("--allow-code-execution") { Description = "Code tasks: RUN the model-written code while scoring (as `eval --allow-code-execution`; shards never carry this consent)." };
        var allowUnsandboxed = new Option<bool>("--allow-unsandboxed-execution") { Description = "With --allow-code-execution where no sandbox works: run it WITHOUT isolation anyway." };
        var command = new Command("merge", "Combine the N shard folders of a sharded eval into the results one unsharded run writes. Refuses shards of different models, data or settings, and missing shards.")
        {
            folders, output, force, allowCode, allowUnsandboxed, json,
        };
        command.SetAction(parse =>
        {
            var results = ShardMerge.Run(parse.GetValue(folders)!, parse.GetValue(output)!, TokenizerFor,
                parse.InvocationConfiguration.Error, ConsoleProgress.ForStderr, new ExecutionPolicy(parse.GetValue(allowCode), parse.GetValue(allowUnsandboxed)),
                parse.GetValue(force));
            var writer = parse.InvocationConfiguration.Output;
            if (parse.GetValue(json)) writer.WriteLine(JsonSerializer.Serialize(results, CliJson.Options));
            else ResultsTable.Write(writer, results);
            return 0;
        });
        return command;
    }

    /// <summary>The shards' model's tokenizer (llama.cpp models tokenize with their own vocabulary, so they are loaded).
    /// Decided by the backend the shards recorded: the merging machine need not hold the model's files.</summary>
    private static ITextTokenizer TokenizerFor(ShardManifest m)
    {
        if (m.Identity.Backend == ModelBackends.LlamaCpp)
            return ModelBackends.Load(ModelSpec.Parse(m.ModelArgument), m.Identity.Backend,
                fast: m.Identity.BackendSettings?.StartsWith("llamacpp-fast", StringComparison.Ordinal) == true).Tokenizer;
        if (m.Identity.Backend == ModelBackends.RemoteBackend)
        {
            string name = m.TokenizerArgument ?? (Engine.BundledModels.BundledModel.Resolve(m.Identity.Name)?.TokenizerName
                ?? throw new ArgumentException($"merge: the shards' remote model names no tokenizer"));
            return TokenizerCatalog.Resolve(name);
        }
        return LocalModelLoader.ResolveTokenizer(m.ModelArgument, m.TokenizerArgument);
    }
}
