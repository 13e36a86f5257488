using static TorchSharp.torch;

namespace SmallLlm.Eval.Engine.Checkpoints;

/// <summary>The safetensors dtype strings we read and write, and their torch equivalents.</summary>
public static class SafetensorsDType
{
    public static ScalarType ToScalarType(string dtype, string file, string tensor) => dtype switch
    {
        "F32" => ScalarType.Float32,
        "F16" => ScalarType.Float16,
        "BF16" => ScalarType.BFloat16,
        _ => throw new InvalidDataException(
            $"{file}: tensor '{tensor}' has dtype '{dtype}': expected F32, F16 or BF16"),
    };

    public static string FromScalarType(ScalarType t) => t switch
    {
        ScalarType.Float32 => "F32",
        ScalarType.Float16 => "F16",
        ScalarType.BFloat16 => "BF16",
        _ => throw new ArgumentException($"cannot write dtype {t} to safetensors"),
    };

    public static int ElementSize(ScalarType t) => t == ScalarType.Float32 ? 4 : 2;
}
