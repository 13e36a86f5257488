using LLama;
using LLama.Native;
using SmallLlm.Eval.Engine.Gguf;

namespace SmallLlm.Eval.LlamaCpp;

/// <summary>`smalleval quantize`: llama.cpp's own quantizer (llama_model_quantize) on a GGUF file.</summary>
public static class GgufQuantizer
{
    public static readonly IReadOnlyDictionary<string, LLamaFtype> Types = new Dictionary<string, LLamaFtype>
    {
        ["q8_0"] = LLamaFtype.MOSTLY_Q8_0,
        ["q6_k"] = LLamaFtype.MOSTLY_Q6_K,
        ["q5_k_m"] = LLamaFtype.MOSTLY_Q5_K_M,
        ["q4_k_m"] = LLamaFtype.MOSTLY_Q4_K_M,
        ["q4_0"] = LLamaFtype.MOSTLY_Q4_0,
    };

    public static GgufSummary Quantize(string from, string to, string type, int threads = 0)
    {
        if (!Types.TryGetValue(type.ToLowerInvariant(), out var ftype))
            throw new ArgumentException($"--type '{type}': expected one of {string.Join(", ", Types.Keys)}");
        GgufFile.Validate(from);
        if (Path.GetFullPath(from) == Path.GetFullPath(to)) throw new ArgumentException($"--to {to}: must differ from --from");
        LlamaCppRuntime.EnsureLoaded();
        LlamaCppRuntime.ClearError();
        string tmp = to + ".tmp";
        try
        {
            if (!LLamaQuantizer.Quantize(from, tmp, ftype, threads > 0 ? threads : Environment.ProcessorCount, allowRequantize: true, quantizeOutputTensor: false))
                throw new InvalidDataException($"{from}: llama.cpp could not quantize it to {type}: {LlamaCppRuntime.LastError ?? "no reason given"}");
            File.Move(tmp, to, overwrite: true);
        }
        finally
        {
            if (File.Exists(tmp)) File.Delete(tmp);
        }
        return GgufSummary.Of(GgufFile.Read(to));
    }
}
