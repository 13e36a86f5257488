namespace SmallLlm.Eval.Engine;

/// <summary>The Hugging Face <c>model_type</c>s the engine implements exactly; every other one is refused.</summary>
public static class ModelFamily
{
    public const string Llama = "llama";
    public const string Mistral = "mistral";
    public const string Qwen2 = "qwen2";
    public const string Qwen3 = "qwen3";

    public static readonly IReadOnlyList<string> All = [Llama, Mistral, Qwen2, Qwen3];

    public static bool IsKnown(string modelType) => All.Contains(modelType);

    /// <summary>The <c>architectures</c> entry transformers writes for the family.</summary>
    public static string Architecture(string modelType) => modelType switch
    {
        Mistral => "MistralForCausalLM",
        Qwen2 => "Qwen2ForCausalLM",
        Qwen3 => "Qwen3ForCausalLM",
        _ => "LlamaForCausalLM",
    };
}
