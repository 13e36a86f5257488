using LLama.Native;

namespace SmallLlm.Eval.LlamaCpp;

/// <summary>Loads llama.cpp's native library once, with its log silenced except for errors (which we surface ourselves).</summary>
internal static class LlamaCppRuntime
{
    private static readonly object Gate = new();
    private static bool _ready;

    private static readonly List<string> Errors = new();

    /// <summary>The error lines llama.cpp logged since <see cref="ClearError"/>: they name the cause when a load fails (tensor, key, architecture).</summary>
    public static string? LastError { get { lock (Errors) return Errors.Count == 0 ? null : string.Join("; ", Errors); } }

    public static void EnsureLoaded()
    {
        lock (Gate)
        {
            if (_ready) return;
            NativeLibraryConfig.All.WithLogCallback((level, message) =>
            {
                if (level == LLamaLogLevel.Error && !string.IsNullOrWhiteSpace(message))
                    lock (Errors) if (Errors.Count < 8) Errors.Add(message.Trim());
            });
            NativeApi.llama_empty_call();
            _ready = true;
        }
    }

    public static void ClearError() { lock (Errors) Errors.Clear(); }
}
