namespace SmallLlm.Eval.Tasks.Code;

/// <summary>Code execution was asked for but nothing on this machine can isolate it, and running it unisolated was
/// not explicitly allowed. An IOException, so the command line reports it as one line with exit code 2.</summary>
public sealed class SandboxUnavailableException(string message) : IOException(message);
