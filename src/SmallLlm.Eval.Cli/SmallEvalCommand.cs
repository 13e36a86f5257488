using System.CommandLine;
using SmallLlm.Eval.Cli.Commands;

namespace SmallLlm.Eval.Cli;

/// <summary>The root command with every subcommand: one place that lists what smalleval can do.</summary>
public static class SmallEvalCommand
{
    public static RootCommand Create()
    {
        var root = new RootCommand("smalleval — evaluate and benchmark small Llama-family language models: exact log-likelihoods, tokenizer comparisons and benchmarks on a built-in TorchSharp engine.")
        {
            GlobalOptions.Verbose, GlobalOptions.Threads, GlobalOptions.WaitPolicy,
        };
        root.Subcommands.Add(RunCommand.Create());
        root.Subcommands.Add(EvalCommand.Create());
        root.Subcommands.Add(TasksCommand.Create());
        root.Subcommands.Add(ModelCommand.Create());
        root.Subcommands.Add(GenerateCommand.Create());
        root.Subcommands.Add(ConvertCommand.Create());
        root.Subcommands.Add(QuantizeCommand.Create());
        root.Subcommands.Add(KldCommand.Create());
        root.Subcommands.Add(BenchCommand.Create());
        root.Subcommands.Add(TokenizersCommand.Create());
        root.Subcommands.Add(LeaderboardCommand.Create());
        root.Subcommands.Add(CheckCommand.Create());
        root.Subcommands.Add(SweepCommand.Create());
        root.Subcommands.Add(SandboxCommand.Create());
        root.Subcommands.Add(ServeCommand.Create());
        root.Subcommands.Add(MergeCommand.Create());
        root.Subcommands.Add(ProbeCommand.Create());
        root.Subcommands.Add(TrainCommand.Create());
        return root;
    }
}
