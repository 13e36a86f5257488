using SmallLlm.Eval.Conversion;
using SmallLlm.Eval.Engine.Gguf;

namespace SmallLlm.Eval.TestSupport;

/// <summary>Temporary GGUF files written by our converter from the bundled stories260K (no ../shared needed).</summary>
public static class GgufFixture
{
    private static readonly Lazy<string> Dir = new(() => Directory.CreateTempSubdirectory("smalleval-gguf-").FullName);
    private static readonly object Gate = new();

    /// <summary>The bundled stories260K as a GGUF of <paramref name="type"/> (written once per test run).</summary>
    public static string Stories260K(string type = "f32")
    {
        lock (Gate)
        {
            string path = Path.Combine(Dir.Value, $"stories260K-{type}.gguf");
            if (!File.Exists(path)) GgufConversion.Convert("stories260K", path, GgufCheckpointWriter.ParseType(type));
            return path;
        }
    }

    public static string Temp(string name) => Path.Combine(Dir.Value, name);
}
