using System.Diagnostics;

namespace SmallLlm.Eval.Models;

/// <summary>
/// A model that measures its own engine: the runner reads these to split a task's wall time into engine time and
/// harness overhead, and to report tokens per second, whatever the backend.
/// </summary>
public interface IEngineMeter
{
    /// <summary>Time spent inside the engine (forward passes, LM head).</summary>
    Stopwatch EngineTime { get; }

    /// <summary>Tokens the engine has processed (prompts and generated tokens).</summary>
    long EngineTokens { get; }
}
