using System.CommandLine;
using System.Text.Json;
using SmallLlm.Eval.Models;
using SmallLlm.Eval.Remote;
using SmallLlm.Eval.Results;
using SmallLlm.Eval.Runner;

namespace SmallLlm.Eval.Cli.Commands;

/// <summary><c>smalleval merge</c>: the results of a sharded run from its shard folders.</summary>
public static class MergeCommand
{
    public static Command Create()
    {
        var folders = new Argument<string[]>("shards") { Description = "The shard folders (each written by `eval --shard I/N`).", Arity = ArgumentArity.OneOrMore };
        var output = new Option<string>("--output", "-o") { Description = "Results folder for the merged run.", Required = true };
        var json = ModelOptions.Json();
        var command = new Command("merge", "Combine the N shard folders of a sharded eval into the results one unsharded run writes. Refuses shards of different models, data or settings, and missing shards.")
        {
            folders, output, json,
        };
        command.SetAction(parse =>
        {
            var results = ShardMerge.Run(parse.GetValue(folders)!, parse.GetValue(output)!, PromptCounter,
                parse.InvocationConfiguration.Error, ConsoleProgress.ForStderr);
            var writer = parse.InvocationConfiguration.Output;
            if (parse.GetValue(json)) writer.WriteLine(JsonSerializer.Serialize(results, ResultFiles.Json));
            else ResultsTable.Write(writer, results);
            return 0;
        });
        return command;
    }

    /// <summary>Prompt tokens as the shards' model counted them: its tokenizer (llama.cpp models count with their own vocabulary, so they are loaded).</summary>
    private static Func<string, int> PromptCounter(ShardManifest m)
    {
        int bos = m.Identity.AddBos ? 1 : 0;
        if (RemoteOptions.IsRemote(m.ModelArgument))
        {
            string name = m.TokenizerArgument ?? (Engine.BundledModels.BundledModel.Resolve(m.Identity.Name)?.TokenizerName
                ?? throw new ArgumentException($"merge: the shards' remote model names no tokenizer"));
            var remoteTok = Tokenizers.TokenizerCatalog.Resolve(name);
            return t => remoteTok.CountTokens(t) + bos;
        }
        if (m.Identity.Backend != ModelBackends.Torch)
        {
            var model = ModelBackends.Load(m.ModelArgument, m.Identity.Backend, fast: m.Identity.BackendSettings?.StartsWith("llamacpp-fast", StringComparison.Ordinal) == true);
            return model.CountPromptTokens;
        }
        var tok = LocalLanguageModel.ResolveTokenizer(m.ModelArgument, m.TokenizerArgument);
        return t => tok.CountTokens(t) + bos;
    }
}
