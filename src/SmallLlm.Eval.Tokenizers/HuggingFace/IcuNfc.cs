using System.Runtime.InteropServices;

namespace SmallLlm.Eval.Tokenizers.HuggingFace;

/// <summary>
/// Unicode NFC through the system's ICU (libicuuc), loaded by hand: the project runs with invariant globalization, where
/// .NET's <c>string.Normalize</c> leaves text unchanged, and a tokenizer whose tokenizer.json says NFC (Qwen2) must
/// normalize exactly or not at all. Without ICU such a tokenizer is refused (<see cref="Require"/>).
/// </summary>
public static class IcuNfc
{
    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    private delegate IntPtr GetInstance(ref int status);

    [UnmanagedFunctionPointer(CallingConvention.Cdecl, CharSet = CharSet.Unicode)]
    private delegate int NormalizeFn(IntPtr normalizer, [In] char[] source, int length, [In, Out] char[]? destination, int capacity, ref int status);

    private sealed record Api(IntPtr Nfc, NormalizeFn Normalize, string Library);

    private static readonly Lazy<Api?> Loaded = new(Load);

    /// <summary>The ICU library in use, or null when none was found.</summary>
    public static string? Library => Loaded.Value?.Library;

    public static void Require(string source)
    {
        if (Loaded.Value is null)
            throw new InvalidDataException(
                $"{source}: the NFC normalizer needs ICU (libicuuc, e.g. Debian package libicu72), which was not found: refusing to tokenize without normalization");
    }

    public static string Normalize(string text)
    {
        var api = Loaded.Value ?? throw new InvalidOperationException("ICU is not available");
        if (IsAsciiOrLatin1Composed(text)) return text;
        var source = text.ToCharArray();
        int status = 0;
        int needed = api.Normalize(api.Nfc, source, source.Length, null, 0, ref status);
        var destination = new char[Math.Max(needed, 1)];
        status = 0;
        int written = api.Normalize(api.Nfc, source, source.Length, destination, destination.Length, ref status);
        if (status > 0) throw new InvalidOperationException($"ICU unorm2_normalize failed with error {status}");
        return new string(destination, 0, written);
    }

    /// <summary>Text below U+0300 is already NFC (no combining marks or composable sequences): the common case, skipped.</summary>
    private static bool IsAsciiOrLatin1Composed(string text)
    {
        foreach (char c in text) if (c >= '\u0300') return false;
        return true;
    }

    private static Api? Load()
    {
        var names = Enumerable.Range(50, 50).Reverse().Select(v => ($"libicuuc.so.{v}", $"_{v}")).Append(("libicuuc.so", ""));
        foreach (var (name, suffix) in names)
        {
            if (!NativeLibrary.TryLoad(name, out var lib)) continue;
            foreach (var s in new[] { suffix, "" })
                if (NativeLibrary.TryGetExport(lib, "unorm2_getNFCInstance" + s, out var get) &&
                    NativeLibrary.TryGetExport(lib, "unorm2_normalize" + s, out var normalize))
                {
                    int status = 0;
                    var nfc = Marshal.GetDelegateForFunctionPointer<GetInstance>(get)(ref status);
                    if (status > 0 || nfc == IntPtr.Zero) continue;
                    return new Api(nfc, Marshal.GetDelegateForFunctionPointer<NormalizeFn>(normalize), name);
                }
        }
        return null;
    }
}
