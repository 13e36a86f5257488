using SmallLlm.Eval.Configuration;
using SmallLlm.Eval.Models;
using SmallLlm.Eval.Runner;
using SmallLlm.Eval.Tasks;

namespace SmallLlm.Eval.Reports.Tests.Fixtures;

/// <summary>
/// Real result files for the reports' tests, made through the harness's API (the job `smalleval eval` runs), not the
/// CLI: the reports are tested through their own API, on what a real run writes.
/// </summary>
public static class HarnessRun
{
    public static EvalJobResults Eval(string model, string task, string output, string? cache = null, int? limit = null, string? tasksDir = null,
        string? tokenizer = null, IReadOnlyDictionary<string, string>? options = null, string? dataDir = null)
    {
        var settings = new TaskSettings { Limit = limit, DataDir = dataDir, Options = options ?? new Dictionary<string, string>() };
        return EvalJob.Run(new EvalJobSpec
        {
            Model = model,
            Tokenizer = tokenizer,
            Tasks = [task],
            TasksDirectory = ProjectPaths.TasksDirectory(tasksDir),
            OutputDirectory = output,
            CachePath = cache,
            SettingsFor = _ => settings,
        }, TextWriter.Null, _ => IProgressSink.None);
    }
}
