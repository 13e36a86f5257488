using System.Text.Json;
using SmallLlm.Eval.Engine.Gguf;
using SmallLlm.Eval.Tokenizers;
using SmallLlm.Eval.Tokenizers.SentencePiece;

namespace SmallLlm.Eval.Conversion;

/// <summary>
/// A checkpoint's tokenizer as GGUF metadata: llama2.c and SentencePiece vocabularies become llama.cpp's "llama"
/// (SentencePiece) model, a byte-level BPE tokenizer.json becomes its "gpt2" model with merges.
/// </summary>
public static class GgufVocabularies
{
    private const string Space = "\u2581";

    /// <summary>From a resolved tokenizer, or the tokenizer file it was read from.</summary>
    public static GgufVocabulary From(ITextTokenizer tokenizer, string? tokenizerFile)
    {
        if (tokenizer is Llama2CTokenizer l2c) return FromLlama2C(l2c);
        if (tokenizerFile is not null && Path.GetFileName(tokenizerFile) == "tokenizer.model")
            return FromSentencePiece(SentencePieceModelReader.Read(File.ReadAllBytes(tokenizerFile), tokenizerFile));
        if (tokenizerFile is not null && Path.GetFileName(tokenizerFile) == "tokenizer.json")
            return FromByteLevelBpe(tokenizerFile, tokenizer);
        throw new ArgumentException($"tokenizer '{tokenizer.Name}' cannot be written into a GGUF (supported: llama2.c tok*.bin, SentencePiece tokenizer.model, byte-level BPE tokenizer.json): pass --tokenizer FILE");
    }

    /// <summary>llama2.c stores SentencePiece pieces with '▁' as ' ' and BOS/EOS as "\n&lt;s&gt;\n"; undo both.</summary>
    private static GgufVocabulary FromLlama2C(Llama2CTokenizer t)
    {
        int n = t.VocabSize;
        var tokens = new string[n];
        var types = new int[n];
        var scores = new float[n];
        for (int i = 0; i < n; i++)
        {
            string piece = t.IdToPiece(i);
            (tokens[i], types[i]) = i switch
            {
                0 => ("<unk>", 2),
                1 => ("<s>", 3),
                2 => ("</s>", 3),
                _ when piece.Length == 6 && piece.StartsWith("<0x") && piece.EndsWith('>') => (piece, 6),
                _ => (piece.Replace(" ", Space), 1),
            };
            scores[i] = t.Score(i);
        }
        return new GgufVocabulary("llama", tokens, types, scores, null, 1, 2, 0, AddBos: true);
    }

    private static GgufVocabulary FromSentencePiece(SentencePieceModel m)
    {
        var tokens = m.Pieces.Select(p => p.Piece).ToArray();
        var types = m.Pieces.Select(p => (int)p.Type).ToArray();
        var scores = m.Pieces.Select(p => p.Score).ToArray();
        return new GgufVocabulary("llama", tokens, types, scores, null, m.BosId >= 0 ? m.BosId : null, m.EosId >= 0 ? m.EosId : null,
            m.UnkId >= 0 ? m.UnkId : null, AddBos: m.BosId >= 0);
    }

    private static GgufVocabulary FromByteLevelBpe(string file, ITextTokenizer tokenizer)
    {
        using var doc = JsonDocument.Parse(File.ReadAllBytes(file));
        var root = doc.RootElement;
        var model = root.GetProperty("model");
        var byId = new Dictionary<int, (string Token, int Type)>();
        foreach (var p in model.GetProperty("vocab").EnumerateObject()) byId[p.Value.GetInt32()] = (p.Name, 1);
        if (root.TryGetProperty("added_tokens", out var added) && added.ValueKind == JsonValueKind.Array)
            foreach (var a in added.EnumerateArray())
                byId[a.GetProperty("id").GetInt32()] = (a.GetProperty("content").GetString()!, a.TryGetProperty("special", out var sp) && sp.GetBoolean() ? 3 : 4);
        int n = byId.Keys.Max() + 1;
        var tokens = new string[n];
        var types = new int[n];
        for (int i = 0; i < n; i++)
            (tokens[i], types[i]) = byId.TryGetValue(i, out var e) ? e : ($"[PAD{i}]", 5);
        var merges = model.GetProperty("merges").EnumerateArray()
            .Select(m => m.ValueKind == JsonValueKind.Array ? $"{m[0].GetString()} {m[1].GetString()}" : m.GetString()!).ToArray();
        string text = root.GetRawText();
        // llama.cpp chooses its pre-tokenizer regex by name; Llama 3's pattern is "llama-bpe".
        string pre = text.Contains("(?i:'s|'t|'re|'ve|'m|'ll|'d)") && text.Contains("\\\\p{N}{1,3}") ? "llama-bpe" : "gpt-2";
        return new GgufVocabulary("gpt2", tokens, types, null, merges, tokenizer.BosId, tokenizer.EosId, null, AddBos: tokenizer.BosId is not null, Pre: pre);
    }
}
