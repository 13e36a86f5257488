using LLama.Native;

namespace SmallLlm.Eval.LlamaCpp;

/// <summary>Loads llama.cpp's native library once, with its log silenced except for errors (which we surface ourselves).</summary>
internal static class LlamaCppRuntime
{
    private static readonly object Gate = new();
    private static bool _ready;

    /// <summary>The last error line llama.cpp logged: it names the cause when a load fails (tensor, key, architecture).</summary>
    public static string? LastError { get; private set; }

    public static void EnsureLoaded()
    {
        lock (Gate)
        {
            if (_ready) return;
            NativeLibraryConfig.All.WithLogCallback((level, message) =>
            {
                if (level == LLamaLogLevel.Error && !string.IsNullOrWhiteSpace(message)) LastError = message.Trim();
            });
            NativeApi.llama_empty_call();
            _ready = true;
        }
    }

    public static void ClearError() => LastError = null;
}
