using System.Text;

namespace SmallLlm.Eval.Tokenizers.SentencePiece;

/// <summary>
/// Reads SentencePiece's serialized ModelProto (protobuf) without a protobuf dependency: only the fields encoding
/// needs (pieces; trainer_spec model_type, byte_fallback, unk/bos/eos ids; normalizer_spec name, add_dummy_prefix,
/// remove_extra_whitespaces, escape_whitespaces).
/// </summary>
public static class SentencePieceModelReader
{
    public static SentencePieceModel Read(byte[] data, string source)
    {
        var pieces = new List<ModelPiece>();
        int modelType = 1; // UNIGRAM is the proto default
        bool byteFallback = false;
        int unkId = 0, bosId = 1, eosId = 2;
        string normalizerName = "";
        bool addDummyPrefix = true, removeExtra = true, escape = true;
        bool sawNormalizer = false;

        var top = new ProtoCursor(data, 0, data.Length, source);
        while (top.Next(out int field, out int wire))
        {
            switch (field, wire)
            {
                case (1, 2):
                    pieces.Add(ReadPiece(top.Sub(), pieces.Count, source));
                    break;
                case (2, 2):
                    var trainer = top.Sub();
                    while (trainer.Next(out int f, out int w))
                    {
                        if (w == 0 && f == 3) modelType = (int)trainer.Varint();
                        else if (w == 0 && f == 35) byteFallback = trainer.Varint() != 0;
                        else if (w == 0 && f == 40) unkId = (int)trainer.Varint();
                        else if (w == 0 && f == 41) bosId = (int)trainer.Varint();
                        else if (w == 0 && f == 42) eosId = (int)trainer.Varint();
                        else trainer.Skip(w);
                    }
                    break;
                case (3, 2):
                    sawNormalizer = true;
                    var norm = top.Sub();
                    while (norm.Next(out int f, out int w))
                    {
                        if (w == 2 && f == 1) normalizerName = norm.String();
                        else if (w == 0 && f == 3) addDummyPrefix = norm.Varint() != 0;
                        else if (w == 0 && f == 4) removeExtra = norm.Varint() != 0;
                        else if (w == 0 && f == 5) escape = norm.Varint() != 0;
                        else norm.Skip(w);
                    }
                    break;
                default:
                    top.Skip(wire);
                    break;
            }
        }
        if (pieces.Count == 0)
            throw new InvalidDataException($"{source}: not a SentencePiece model (no pieces found in the protobuf)");
        if (!sawNormalizer) normalizerName = "identity";
        return new SentencePieceModel(pieces, modelType == 2, byteFallback, addDummyPrefix, removeExtra, escape,
            normalizerName, unkId, bosId, eosId);
    }

    private static ModelPiece ReadPiece(ProtoCursor c, int index, string source)
    {
        string? piece = null;
        float score = 0;
        int type = 1;
        while (c.Next(out int f, out int w))
        {
            if (f == 1 && w == 2) piece = c.String();
            else if (f == 2 && w == 5) score = c.Float();
            else if (f == 3 && w == 0) type = (int)c.Varint();
            else c.Skip(w);
        }
        if (piece == null) throw new InvalidDataException($"{source}: piece #{index} has no text");
        if (type < 1 || type > 6) throw new InvalidDataException($"{source}: piece #{index} '{piece}' has unknown type {type}");
        return new ModelPiece(piece, score, (PieceType)type);
    }

    /// <summary>A bounds-checked walk over one protobuf message.</summary>
    private struct ProtoCursor(byte[] data, int start, int end, string source)
    {
        private int _pos = start;

        public bool Next(out int field, out int wire)
        {
            field = wire = 0;
            if (_pos >= end) return false;
            ulong tag = Varint();
            field = (int)(tag >> 3);
            wire = (int)(tag & 7);
            if (field == 0) throw Bad("field number 0");
            return true;
        }

        public ulong Varint()
        {
            ulong value = 0;
            for (int shift = 0; shift < 64; shift += 7)
            {
                if (_pos >= end) throw Bad("truncated varint");
                byte b = data[_pos++];
                value |= (ulong)(b & 0x7F) << shift;
                if (b < 0x80) return value;
            }
            throw Bad("varint longer than 10 bytes");
        }

        public ProtoCursor Sub()
        {
            int len = Length();
            var sub = new ProtoCursor(data, _pos, _pos + len, source);
            _pos += len;
            return sub;
        }

        public string String()
        {
            int len = Length();
            string s = Encoding.UTF8.GetString(data, _pos, len);
            _pos += len;
            return s;
        }

        public float Float()
        {
            if (_pos + 4 > end) throw Bad("truncated float");
            float f = BitConverter.ToSingle(data, _pos);
            _pos += 4;
            return f;
        }

        public void Skip(int wire)
        {
            switch (wire)
            {
                case 0: Varint(); break;
                case 1: _pos += 8; break;
                case 2: _pos += Length(); break;
                case 5: _pos += 4; break;
                default: throw Bad($"unsupported wire type {wire}");
            }
            if (_pos > end) throw Bad("field runs past the end of its message");
        }

        private int Length()
        {
            ulong len = Varint();
            if (len > (ulong)(end - _pos)) throw Bad($"length {len} runs past the end of its message");
            return (int)len;
        }

        private readonly InvalidDataException Bad(string what) =>
            new($"{source}: malformed SentencePiece protobuf at byte {_pos}: {what}");
    }
}
