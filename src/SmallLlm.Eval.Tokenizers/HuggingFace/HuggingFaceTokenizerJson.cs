using System.Text.Json;
using SmallLlm.Eval.Tokenizers.ByteLevel;
using SmallLlm.Eval.Tokenizers.SentencePiece;

namespace SmallLlm.Eval.Tokenizers.HuggingFace;

/// <summary>
/// Reads a Hugging Face tokenizer.json with a BPE model: byte-level (ByteLevel pre-tokenizer, as Llama 3 and GPT-2) or
/// SentencePiece-style (U+2581 spaces, byte fallback, as Llama 2 and Mistral). BOS/EOS are taken from the special
/// added tokens named &lt;s&gt;/&lt;/s&gt;, &lt;|begin_of_text|&gt;/&lt;|end_of_text|&gt; or &lt;|endoftext|&gt;.
/// </summary>
public static class HuggingFaceTokenizerJson
{
    public static ITextTokenizer Load(byte[] data, string source)
    {
        JsonDocument doc;
        try { doc = JsonDocument.Parse(data, new JsonDocumentOptions { AllowTrailingCommas = true }); }
        catch (JsonException e) { throw new InvalidDataException($"{source}: not valid JSON (line {e.LineNumber + 1}, byte {e.BytePositionInLine}): {e.Message}"); }
        using (doc)
        {
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("model", out var model) || model.ValueKind != JsonValueKind.Object)
                throw new InvalidDataException($"{source}: not a Hugging Face tokenizer.json (no \"model\" object)");
            string type = model.TryGetProperty("type", out var t) ? t.GetString() ?? "" : "BPE";
            if (type != "BPE") throw new InvalidDataException($"{source}: model.type '{type}' is not supported (only BPE)");
            var vocab = ReadVocab(model, source);
            var merges = ReadMerges(model, source);
            var added = ReadAddedTokens(root, source);
            var special = added.Where(a => a.Special).ToDictionary(a => a.Content, a => a.Id);
            var all = added.ToDictionary(a => a.Content, a => a.Id);
            int? bos = FirstOf(all, "<|begin_of_text|>", "<s>");
            int? eos = FirstOf(all, "<|end_of_text|>", "</s>", "<|endoftext|>");
            foreach (string unsupported in new[] { "continuing_subword_prefix", "end_of_word_suffix" })
                if (model.TryGetProperty(unsupported, out var v) && v.ValueKind == JsonValueKind.String && v.GetString()!.Length > 0)
                    throw new InvalidDataException($"{source}: model.{unsupported} is not supported");

            var normalizers = Flatten(root, "normalizer", "normalizers");
            var preTokenizers = Flatten(root, "pre_tokenizer", "pretokenizers");
            var byteLevel = preTokenizers.FirstOrDefault(p => Type(p) == "ByteLevel");
            var config = TokenizerConfigJson.Beside(source);
            if (byteLevel.ValueKind != JsonValueKind.Undefined)
            {
                // Unicode normalization changes ids: NFC (Qwen2) is applied exactly; any other is refused, never guessed.
                foreach (var n in normalizers)
                    if (Type(n) != "NFC")
                        throw new InvalidDataException($"{source}: normalizer '{Type(n)}' is not supported in a byte-level tokenizer (only NFC)");
                foreach (var a in added)
                    if (a.SingleWord)
                        throw new InvalidDataException($"{source}: added token '{a.Content}' has single_word true, which is not implemented: refusing to tokenize approximately");
                var tokens = added.Select(a => new AddedToken(a.Id, a.Content, a.Special, a.LStrip, a.RStrip, a.Normalized)).ToList();
                var (bosId, eosId) = SpecialIds(root, config, all, bos, eos);
                return new HuggingFaceByteLevelBpeTokenizer(source, vocab, merges, tokens, ByteLevelPreTokenizer.FromJson(preTokenizers, source),
                    nfc: normalizers.Count > 0, Bool(model, "ignore_merges", false), bosId, eosId, source);
            }
            // Unicode normalization (NFC, NFKC, ...), lowercasing or stripping would change ids; only say so, never guess.
            foreach (var n in normalizers)
                if (Type(n) is not ("Prepend" or "Replace"))
                    throw new InvalidDataException($"{source}: normalizer '{Type(n)}' is not supported (only the Prepend/Replace '▁' normalizers of SentencePiece-style tokenizers)");

            var metaspace = preTokenizers.FirstOrDefault(p => Type(p) == "Metaspace");
            bool prependNormalizer = normalizers.Any(n => Type(n) == "Prepend" && n.GetProperty("prepend").GetString() == "\u2581");
            bool replaceSpaces = normalizers.Any(n => Type(n) == "Replace" && n.TryGetProperty("content", out var c) && c.GetString() == "\u2581");
            bool metaspacePrepend = metaspace.ValueKind != JsonValueKind.Undefined &&
                (metaspace.TryGetProperty("prepend_scheme", out var scheme) ? scheme.GetString() is "first" or "always" : Bool(metaspace, "add_prefix_space", true));
            if (!replaceSpaces && metaspace.ValueKind == JsonValueKind.Undefined)
                throw new InvalidDataException($"{source}: unsupported pre-tokenization: neither a ByteLevel pre-tokenizer nor SentencePiece-style '▁' spaces (Replace normalizer or Metaspace)");
            int? unk = model.TryGetProperty("unk_token", out var u) && u.ValueKind == JsonValueKind.String && vocab.TryGetValue(u.GetString()!, out int uid) ? uid : null;
            var options = new HuggingFaceSentencePieceBpeTokenizer.Options(
                Prepend: prependNormalizer || metaspacePrepend,
                PrependOnlyIfMissing: !prependNormalizer,
                SplitAtSpaces: metaspace.ValueKind != JsonValueKind.Undefined && Bool(metaspace, "split", true),
                ByteFallback: Bool(model, "byte_fallback", false),
                UnkId: unk,
                FuseUnk: Bool(model, "fuse_unk", false),
                PrependFirstPieceOnly: !prependNormalizer && metaspace.ValueKind != JsonValueKind.Undefined &&
                    metaspace.TryGetProperty("prepend_scheme", out var first) && first.GetString() == "first");
            foreach (var a in added)
                if (a.SingleWord)
                    throw new InvalidDataException($"{source}: added token '{a.Content}' has single_word true, which is not implemented: refusing to tokenize approximately");
            var (spBos, spEos) = SpecialIds(root, config, all, bos, eos);
            return new HuggingFaceSentencePieceBpeTokenizer(source, vocab, merges, special, options, spBos, spEos, source,
                added.Select(a => new AddedToken(a.Id, a.Content, a.Special, a.LStrip, a.RStrip, a.Normalized)).ToList());
        }
    }

    private static int? FirstOf(Dictionary<string, int> tokens, params string[] names)
    {
        foreach (string n in names) if (tokens.TryGetValue(n, out int id)) return id;
        return null;
    }

    private static string? Type(JsonElement e) => e.ValueKind == JsonValueKind.Object && e.TryGetProperty("type", out var t) ? t.GetString() : null;

    private static bool Bool(JsonElement e, string name, bool fallback) =>
        e.TryGetProperty(name, out var v) && v.ValueKind is JsonValueKind.True or JsonValueKind.False ? v.GetBoolean() : fallback;

    /// <summary>The component at root[name], or the members of a Sequence of them.</summary>
    private static List<JsonElement> Flatten(JsonElement root, string name, string sequenceMember)
    {
        var result = new List<JsonElement>();
        if (!root.TryGetProperty(name, out var e) || e.ValueKind != JsonValueKind.Object) return result;
        if (Type(e) == "Sequence" && e.TryGetProperty(sequenceMember, out var items)) result.AddRange(items.EnumerateArray());
        else result.Add(e);
        return result;
    }

    /// <summary>The largest token id accepted (2^24 - 1; the largest real vocabularies have about 2^18 entries).</summary>
    private const int MaxTokenId = (1 << 24) - 1;

    private static Dictionary<string, int> ReadVocab(JsonElement model, string source)
    {
        if (!model.TryGetProperty("vocab", out var v) || v.ValueKind != JsonValueKind.Object)
            throw new InvalidDataException($"{source}: model.vocab is missing or not an object");
        var vocab = new Dictionary<string, int>(StringComparer.Ordinal);
        var owner = new Dictionary<int, string>();
        foreach (var p in v.EnumerateObject())
        {
            if (p.Value.ValueKind != JsonValueKind.Number || !p.Value.TryGetInt32(out int id) || id < 0)
                throw new InvalidDataException($"{source}: model.vocab['{p.Name}'] is not a non-negative integer id");
            // Id tables are sized by the largest id: a stray huge one would allocate gigabytes for nothing.
            if (id > MaxTokenId)
                throw new InvalidDataException($"{source}: model.vocab['{p.Name}'] is {id}: ids above {MaxTokenId} are refused (no vocabulary is that large; the id table would take gigabytes)");
            if (!owner.TryAdd(id, p.Name))
                throw new InvalidDataException($"{source}: model.vocab gives id {id} to both '{owner[id]}' and '{p.Name}' (decoding would be ambiguous)");
            vocab[p.Name] = id;
        }
        return vocab;
    }

    private static List<(string, string)> ReadMerges(JsonElement model, string source)
    {
        var merges = new List<(string, string)>();
        if (!model.TryGetProperty("merges", out var m)) return merges;
        if (m.ValueKind != JsonValueKind.Array) throw new InvalidDataException($"{source}: model.merges is not an array");
        int i = 0;
        foreach (var item in m.EnumerateArray())
        {
            if (item.ValueKind == JsonValueKind.String)
            {
                string s = item.GetString()!;
                int space = s.IndexOf(' ', 1);
                if (space < 0) throw new InvalidDataException($"{source}: model.merges[{i}] '{s}' is not 'left right'");
                merges.Add((s[..space], s[(space + 1)..]));
            }
            else if (item.ValueKind == JsonValueKind.Array && item.GetArrayLength() == 2)
                merges.Add((item[0].GetString()!, item[1].GetString()!));
            else throw new InvalidDataException($"{source}: model.merges[{i}] is neither 'left right' nor [left, right]");
            i++;
        }
        return merges;
    }

    private sealed record AddedTokenEntry(int Id, string Content, bool Special, bool LStrip, bool RStrip, bool Normalized, bool SingleWord);

    /// <summary>
    /// The BOS prompts start with and the EOS: tokenizer_config.json's add_bos_token (with its bos_token) when it says;
    /// else the post-processor's template (its leading special token, or none); else the conventional names
    /// (&lt;|begin_of_text|&gt;, &lt;s&gt;). Null BOS: the tokenizer adds none (Qwen2, SmolLM), so prompts start without one.
    /// </summary>
    private static (int? Bos, int? Eos) SpecialIds(JsonElement root, TokenizerConfigJson? config, Dictionary<string, int> tokens, int? namedBos, int? namedEos)
    {
        int? Id(string? content) => content is not null && tokens.TryGetValue(content, out int id) ? id : null;
        int? eos = config?.EosToken is { } e ? Id(e) ?? namedEos : namedEos;
        if (config?.AddBosToken is bool add) return (add ? Id(config.BosToken) ?? namedBos : null, eos);
        if (root.TryGetProperty("post_processor", out var post) && post.ValueKind == JsonValueKind.Object)
        {
            var processors = Type(post) == "Sequence" && post.TryGetProperty("processors", out var list) ? list.EnumerateArray().ToList() : [post];
            var template = processors.FirstOrDefault(p => Type(p) == "TemplateProcessing");
            if (template.ValueKind == JsonValueKind.Object && template.TryGetProperty("single", out var single))
            {
                var firstItem = single.EnumerateArray().FirstOrDefault();
                return (firstItem.ValueKind == JsonValueKind.Object && firstItem.TryGetProperty("SpecialToken", out var st) && st.TryGetProperty("id", out var sid)
                    ? Id(sid.GetString()) : null, eos);
            }
        }
        return (namedBos, eos);
    }

    private static List<AddedTokenEntry> ReadAddedTokens(JsonElement root, string source)
    {
        var result = new List<AddedTokenEntry>();
        if (!root.TryGetProperty("added_tokens", out var a) || a.ValueKind == JsonValueKind.Null) return result;
        if (a.ValueKind != JsonValueKind.Array) throw new InvalidDataException($"{source}: added_tokens is {a.ValueKind.ToString().ToLowerInvariant()}, expected an array of {{\"id\", \"content\"}} objects");
        int i = 0;
        foreach (var t in a.EnumerateArray())
        {
            if (t.ValueKind != JsonValueKind.Object || !t.TryGetProperty("id", out var id) || !t.TryGetProperty("content", out var content)
                || id.ValueKind != JsonValueKind.Number || !id.TryGetInt32(out int idValue) || idValue < 0 || content.ValueKind != JsonValueKind.String)
                throw new InvalidDataException($"{source}: added_tokens[{i}] needs 'id' (a non-negative integer) and 'content' (a string)");
            if (idValue > MaxTokenId)
                throw new InvalidDataException($"{source}: added_tokens[{i}].id is {idValue}: ids above {MaxTokenId} are refused (no vocabulary is that large; the id table would take gigabytes)");
            result.Add(new AddedTokenEntry(id.GetInt32(), content.GetString()!, Bool(t, "special", false), Bool(t, "lstrip", false),
                Bool(t, "rstrip", false), Bool(t, "normalized", false), Bool(t, "single_word", false)));
            i++;
        }
        return result;
    }
}
