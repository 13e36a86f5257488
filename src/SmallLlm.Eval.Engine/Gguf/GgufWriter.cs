using System.Text;

namespace SmallLlm.Eval.Engine.Gguf;

/// <summary>One tensor to write: its GGUF name, ggml shape (fastest dimension first), type and raw little-endian bytes.</summary>
public sealed record GgufTensorData(string Name, long[] Shape, GgmlType Type, byte[] Data);

/// <summary>
/// Writes GGUF version 3 (ggml docs/gguf.md): header, metadata key/values, tensor table, then tensor data, each tensor
/// aligned to general.alignment (32). Written to a temporary file and renamed, so a failed write leaves nothing behind.
/// </summary>
public static class GgufWriter
{
    public static void Write(string path, IReadOnlyList<(string Key, GgufValueType Type, object Value)> metadata, IReadOnlyList<GgufTensorData> tensors)
    {
        string tmp = path + ".tmp";
        try
        {
            using (var fs = new FileStream(tmp, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20))
            using (var w = new BinaryWriter(fs, new UTF8Encoding(false)))
            {
                w.Write(GgufFile.Magic);
                w.Write(3u);
                w.Write((ulong)tensors.Count);
                w.Write((ulong)metadata.Count);
                foreach (var (key, type, value) in metadata)
                {
                    WriteString(w, key);
                    w.Write((uint)type);
                    WriteValue(w, type, value, key);
                }
                long offset = 0;
                foreach (var t in tensors)
                {
                    if (t.Data.LongLength != t.Type.Bytes(t.Shape.Aggregate(1L, (a, b) => a * b)))
                        throw new ArgumentException($"tensor '{t.Name}': {t.Data.LongLength} bytes do not match shape [{string.Join(", ", t.Shape)}] of {t.Type.Name}");
                    WriteString(w, t.Name);
                    w.Write((uint)t.Shape.Length);
                    foreach (long d in t.Shape) w.Write((ulong)d);
                    w.Write(t.Type.Id);
                    w.Write((ulong)offset);
                    offset = Align(offset + t.Data.LongLength);
                }
                Pad(w);
                foreach (var t in tensors)
                {
                    w.Write(t.Data);
                    Pad(w);
                }
            }
            File.Move(tmp, path, overwrite: true);
        }
        finally
        {
            if (File.Exists(tmp)) File.Delete(tmp);
        }
    }

    private static long Align(long n) => (n + GgufFile.DefaultAlignment - 1) / GgufFile.DefaultAlignment * GgufFile.DefaultAlignment;

    private static void Pad(BinaryWriter w)
    {
        w.Flush();
        long pos = w.BaseStream.Position;
        for (long i = pos; i < Align(pos); i++) w.Write((byte)0);
    }

    private static void WriteString(BinaryWriter w, string s)
    {
        var bytes = Encoding.UTF8.GetBytes(s);
        w.Write((ulong)bytes.Length);
        w.Write(bytes);
    }

    private static void WriteValue(BinaryWriter w, GgufValueType type, object value, string key)
    {
        switch (type)
        {
            case GgufValueType.UInt32: w.Write(Convert.ToUInt32(value)); break;
            case GgufValueType.Int32: w.Write(Convert.ToInt32(value)); break;
            case GgufValueType.UInt64: w.Write(Convert.ToUInt64(value)); break;
            case GgufValueType.Float32: w.Write(Convert.ToSingle(value)); break;
            case GgufValueType.Bool: w.Write((byte)((bool)value ? 1 : 0)); break;
            case GgufValueType.String: WriteString(w, (string)value); break;
            case GgufValueType.Array:
                switch (value)
                {
                    case string[] strings:
                        w.Write((uint)GgufValueType.String); w.Write((ulong)strings.Length);
                        foreach (var s in strings) WriteString(w, s);
                        break;
                    case float[] floats:
                        w.Write((uint)GgufValueType.Float32); w.Write((ulong)floats.Length);
                        foreach (var f in floats) w.Write(f);
                        break;
                    case int[] ints:
                        w.Write((uint)GgufValueType.Int32); w.Write((ulong)ints.Length);
                        foreach (var i in ints) w.Write(i);
                        break;
                    default: throw new ArgumentException($"metadata '{key}': unsupported array of {value.GetType().Name}");
                }
                break;
            default: throw new ArgumentException($"metadata '{key}': unsupported value type {type}");
        }
    }
}
