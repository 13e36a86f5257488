namespace SmallLlm.Eval.Remote;

/// <summary>The server could not be used: unreachable after retries, or it lacks what a request kind needs.
/// An I/O failure to the CLI: a one-line error and exit 2, answers computed so far stay in the request cache.</summary>
public sealed class RemoteModelException(string message, Exception? inner = null) : IOException(message, inner);
