using SmallLlm.Eval.Engine;
using SmallLlm.Eval.Engine.Hardware;
using SmallLlm.Eval.Models;
using SmallLlm.Eval.Runner;
using SmallLlm.Eval.Tasks;
using SmallLlm.Eval.Tests.Tasks.Code;

namespace SmallLlm.Eval.Tests.Runner;

/// <summary>The runner records what a model says about itself through the interface (no backend is special-cased).</summary>
public sealed class ModelDescriptionTests : IDisposable
{
    private readonly string _output = RepoPaths.Temp("describe");

    public void Dispose() => Directory.Delete(_output, recursive: true);

    [Fact]
    public void The_built_in_engines_vocabulary_dtype_choice_time_and_tokens_are_recorded()
    {
        var choice = new DTypeChoice(ModelDType.Float32, "auto", "fp32: the reason given at load");
        using var model = LocalModelLoader.Load("stories260K", new LocalModelOptions { DTypeChoice = choice });
        var result = new EvalRunner(model, cache: null, _ => IProgressSink.None).Run(TaskRegistry.Load(RepoPaths.Tasks).Create("arc_easy"), new TaskSettings { Limit = 2 }, _output);
        Assert.Equal(512, result.Model.VocabSize);
        Assert.Equal(("auto", "fp32: the reason given at load"), (result.Machine!.DTypeRequested, result.Machine.DTypeReason));
        Assert.Equal(model.TokensProcessed, result.Timing.Tokens); // the model's own count, for the one task it ran
        Assert.True(result.Timing.Tokens > 0);
        Assert.InRange(result.Timing.ModelSeconds, double.Epsilon, result.Timing.WallSeconds);
    }

    [Fact]
    public void A_model_that_does_not_know_its_vocabulary_records_none()
    {
        var scripted = new ScriptedModel((_, _) => "");
        var result = new EvalRunner(scripted, cache: null, _ => IProgressSink.None).Run(TaskRegistry.Load(RepoPaths.Tasks).Create("arc_easy"), new TaskSettings { Limit = 2 }, _output);
        Assert.Null(result.Model.VocabSize);
        Assert.Null(result.Machine!.DTypeRequested);
        Assert.Equal(0, result.Timing.Tokens);
    }
}
