using static TorchSharp.torch;

namespace SmallLlm.Eval.Engine;

/// <summary>Compute precision of the engine.</summary>
public enum ModelDType
{
    Float32,
    BFloat16,
}

public static class ModelDTypeNames
{
    public static ModelDType Parse(string text) => text.ToLowerInvariant() switch
    {
        "fp32" or "f32" or "float32" => ModelDType.Float32,
        "bf16" or "bfloat16" => ModelDType.BFloat16,
        "auto" => throw new ArgumentException("dtype 'auto' is resolved per model and CPU (DTypeChoice.Resolve), not here"),
        _ => throw new ArgumentException($"unknown dtype '{text}': expected fp32, bf16 or auto"),
    };

    public static string Name(this ModelDType dtype) => dtype == ModelDType.Float32 ? "fp32" : "bf16";

    public static int Bytes(this ModelDType dtype) => dtype == ModelDType.Float32 ? 4 : 2;

    public static ScalarType ToScalarType(this ModelDType dtype) => dtype == ModelDType.Float32 ? ScalarType.Float32 : ScalarType.BFloat16;
}
