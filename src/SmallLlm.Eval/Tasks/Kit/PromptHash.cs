using System.Security.Cryptography;
using System.Text;

namespace SmallLlm.Eval.Tasks.Kit;

/// <summary>The samples files' prompt_hash: the first 16 hex digits of the prompt's UTF-8 SHA-256, so that two runs can be checked for asking the same.</summary>
public static class PromptHash
{
    public static string Of(string prompt) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(prompt)))[..16];
}
