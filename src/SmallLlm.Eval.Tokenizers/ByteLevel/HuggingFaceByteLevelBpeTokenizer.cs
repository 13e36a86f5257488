using System.Text;
using SmallLlm.Eval.Tokenizers.Bpe;
using SmallLlm.Eval.Tokenizers.HuggingFace;

namespace SmallLlm.Eval.Tokenizers.ByteLevel;

/// <summary>
/// Hugging Face byte-level BPE (tokenizer.json with a ByteLevel pre-tokenizer, as Llama 3, Qwen2, GPT-2 and SmolLM
/// ship), in the order the tokenizers library runs: added tokens (special or not) are split out of the text first
/// (<see cref="AddedTokenSplitter"/>), the rest is NFC-normalized when the file says so, pre-tokenized
/// (<see cref="ByteLevelPreTokenizer"/>), and each piece's UTF-8 bytes merged by merge rank, lowest first and
/// leftmost among equal ranks; with ignore_merges a piece that is itself in the vocabulary is one token.
/// Decode: every id, special ones included, to its text.
/// </summary>
public sealed class HuggingFaceByteLevelBpeTokenizer : SegmentTokenizer
{
    private readonly string[] _pieces;          // vocabulary strings by id (byte-level alphabet, or the text of added tokens)
    private readonly byte[]?[] _bytes;           // bytes by id; null for added tokens, which decode to their text
    private readonly Dictionary<string, int> _vocab;
    private readonly Dictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> _lookup;
    private readonly int[] _byteIds = new int[256];
    private readonly PairMerger _merger;
    private readonly bool _ignoreMerges;
    private readonly bool _nfc;
    private readonly ByteLevelPreTokenizer _preTokenizer;
    private readonly AddedTokenSplitter _addedTokens;

    public HuggingFaceByteLevelBpeTokenizer(string name, Dictionary<string, int> vocab, IReadOnlyList<(string Left, string Right)> merges,
        IReadOnlyList<AddedToken> addedTokens, ByteLevelPreTokenizer preTokenizer, bool nfc, bool ignoreMerges, int? bosId, int? eosId, string source)
    {
        Name = name;
        _vocab = vocab;
        _lookup = vocab.GetAlternateLookup<ReadOnlySpan<char>>();
        _ignoreMerges = ignoreMerges;
        _nfc = nfc;
        if (nfc) IcuNfc.Require(source);
        _preTokenizer = preTokenizer;
        _addedTokens = new AddedTokenSplitter(addedTokens);
        int size = Math.Max(vocab.Count == 0 ? 0 : vocab.Values.Max() + 1, addedTokens.Count == 0 ? 0 : addedTokens.Max(a => a.Id) + 1);
        _pieces = new string[size];
        _bytes = new byte[]?[size];
        foreach (var (piece, id) in vocab)
        {
            if (id < 0) throw new InvalidDataException($"{source}: model.vocab: '{piece}' has negative id {id}");
            _pieces[id] = piece;
            _bytes[id] = ByteLevelAlphabet.ToBytes(piece)
                ?? throw new InvalidDataException($"{source}: model.vocab: '{piece}' (id {id}) has characters outside the byte-level alphabet");
        }
        foreach (var a in addedTokens)
        {
            if (a.Id < 0) throw new InvalidDataException($"{source}: added token '{a.Content}' has negative id {a.Id}");
            _pieces[a.Id] ??= a.Content;
        }
        for (int b = 0; b < 256; b++)
            _byteIds[b] = vocab.TryGetValue(ByteLevelAlphabet.ByteToChar[b].ToString(), out int id) ? id
                : throw new InvalidDataException($"{source}: model.vocab has no token for byte 0x{b:X2} ('{ByteLevelAlphabet.ByteToChar[b]}')");
        var pairs = new Dictionary<long, (int, float)>(merges.Count);
        for (int rank = 0; rank < merges.Count; rank++)
        {
            var (left, right) = merges[rank];
            if (!vocab.TryGetValue(left, out int l) || !vocab.TryGetValue(right, out int r) || !vocab.TryGetValue(left + right, out int m))
                throw new InvalidDataException($"{source}: model.merges[{rank}] '{left} {right}': a part or the merged token is not in model.vocab");
            pairs.TryAdd(PairMerger.PairKey(l, r), (m, -rank)); // the first (lowest-rank) entry of a pair wins
        }
        _merger = new PairMerger(pairs);
        BosId = bosId;
        EosId = eosId;
    }

    public override string Name { get; }
    public override int VocabSize => _pieces.Length;
    public override int? BosId { get; }
    public override int? EosId { get; }

    public override bool IsSafeCut(ReadOnlySpan<char> text, int index) =>
        index > 1 && index < text.Length && text[index - 1] == '\n' && !char.IsWhiteSpace(text[index - 2]) && char.IsLetter(text[index]);

    protected override int EncodeInto(string text, bool continuation, List<int>? output)
    {
        if (text.Length == 0) return 0;
        if (_addedTokens.IsEmpty) return EncodeSection(text, output, continuation);
        int count = 0;
        bool first = true;
        foreach (var (offset, length, token) in _addedTokens.Split(text))
        {
            if (token is not null) { output?.Add(token.Id); count++; }
            else count += EncodeSection(text.Substring(offset, length), output, continuation && first);
            first = false;
        }
        return count;
    }

    /// <summary>Text between added tokens: normalized, pre-tokenized, each piece merged (pieces cached).</summary>
    private int EncodeSection(string text, List<int>? output, bool continuation)
    {
        if (_nfc) text = IcuNfc.Normalize(text);
        int count = 0;
        var cache = Cache;
        if (_preTokenizer.SingleRegex is { } regex)
        {
            foreach (var (offset, length) in regex.Split(text)) count += Emit(text.AsSpan(offset, length), cache, output);
            return count;
        }
        foreach (var piece in _preTokenizer.Split(text, noPrefixOnFirst: continuation)) count += Emit(piece.Span, cache, output);
        return count;
    }

    /// <summary>A pre-token's UTF-8 bytes merged by rank.</summary>
    protected override void EncodeSegment(ReadOnlySpan<char> piece, List<int> ids)
    {
        Span<byte> utf8 = stackalloc byte[256];
        int max = Encoding.UTF8.GetMaxByteCount(piece.Length);
        var bytes = max <= utf8.Length ? utf8 : new byte[max];
        bytes = bytes[..Encoding.UTF8.GetBytes(piece, bytes)];
        if (_ignoreMerges && _lookup.TryGetValue(ByteLevelAlphabet.FromBytes(bytes), out int whole)) { ids.Add(whole); return; }
        int start = ids.Count;
        foreach (byte b in bytes) ids.Add(_byteIds[b]);
        var keys = System.Runtime.InteropServices.CollectionsMarshal.AsSpan(ids)[start..];
        int n = _merger.Merge(keys);
        ids.RemoveRange(start + n, keys.Length - n);
    }

    public override string Decode(IReadOnlyList<int> ids)
    {
        var bytes = new List<byte>(ids.Count * 4);
        foreach (int id in ids)
        {
            if (id < 0 || id >= _pieces.Length || _pieces[id] == null) throw new ArgumentException($"token id {id} is not in the {Name} vocabulary");
            if (_bytes[id] is { } b) bytes.AddRange(b);
            else bytes.AddRange(Encoding.UTF8.GetBytes(_pieces[id]));
        }
        return Encoding.UTF8.GetString(bytes.ToArray());
    }

    public override string IdToPiece(int id)
    {
        if (id < 0 || id >= _pieces.Length || _pieces[id] == null) throw new ArgumentException($"token id {id} is not in the {Name} vocabulary");
        return _bytes[id] is { } b ? BytePiece.Display(b) : _pieces[id];
    }
}
