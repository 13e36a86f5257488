using System.Text;

namespace SmallLlm.Eval.Engine.Gguf;

/// <summary>
/// The header of a GGUF file (metadata and tensor table), read and checked by ourselves so that a bad file is a named
/// error (not GGUF, truncated, unknown tensor type, tensor outside the file) before any native code sees it.
/// </summary>
public sealed class GgufFile
{
    public const uint Magic = 0x46554747; // "GGUF" little-endian
    public const int DefaultAlignment = 32;

    public string Path { get; }
    public uint Version { get; }
    public IReadOnlyDictionary<string, object> Metadata { get; }
    public IReadOnlyList<GgufTensorInfo> Tensors { get; }
    public long DataOffset { get; }
    public long FileSize { get; }

    private GgufFile(string path, uint version, Dictionary<string, object> metadata, List<GgufTensorInfo> tensors, long dataOffset, long fileSize)
    {
        Path = path;
        Version = version;
        Metadata = metadata;
        Tensors = tensors;
        DataOffset = dataOffset;
        FileSize = fileSize;
    }

    public static bool LooksLikeGguf(string path) => path.EndsWith(".gguf", StringComparison.OrdinalIgnoreCase);

    /// <summary>Reads and checks the header; throws <see cref="InvalidDataException"/> naming the file and the problem.</summary>
    public static GgufFile Read(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"{path}: no such GGUF file");
        using var stream = File.OpenRead(path);
        long size = stream.Length;
        var r = new BinaryReader(stream, Encoding.UTF8);
        try
        {
            if (size < 24 || r.ReadUInt32() != Magic)
                throw new InvalidDataException($"{path}: not a GGUF file (it does not start with the bytes 'GGUF')");
            uint version = r.ReadUInt32();
            if (version is < 2 or > 3) throw new InvalidDataException($"{path}: GGUF version {version} is not supported (2 and 3 are)");
            long tensorCount = checked((long)r.ReadUInt64());
            long kvCount = checked((long)r.ReadUInt64());
            if (tensorCount > size / 8 || kvCount > size / 8) throw new InvalidDataException($"{path}: truncated or corrupt GGUF header ({tensorCount} tensors, {kvCount} metadata keys in {size} bytes)");
            var metadata = new Dictionary<string, object>(StringComparer.Ordinal);
            for (long i = 0; i < kvCount; i++)
            {
                string key = ReadString(r, size, path);
                var type = (GgufValueType)r.ReadUInt32();
                metadata[key] = ReadValue(r, type, size, path, key);
            }
            var tensors = new List<GgufTensorInfo>();
            for (long i = 0; i < tensorCount; i++)
            {
                string name = ReadString(r, size, path);
                uint dims = r.ReadUInt32();
                if (dims is 0 or > 4) throw new InvalidDataException($"{path}: tensor '{name}' has {dims} dimensions (1 to 4 allowed)");
                var shape = new long[dims];
                for (int d = 0; d < dims; d++) shape[d] = checked((long)r.ReadUInt64());
                uint typeId = r.ReadUInt32();
                var type = GgmlType.ById(typeId) ?? throw new InvalidDataException($"{path}: tensor '{name}' has unknown ggml type {typeId}");
                long offset = checked((long)r.ReadUInt64());
                tensors.Add(new GgufTensorInfo(name, shape, type, offset));
            }
            int alignment = metadata.TryGetValue("general.alignment", out var a) ? Convert.ToInt32(a) : DefaultAlignment;
            long dataOffset = (stream.Position + alignment - 1) / alignment * alignment;
            foreach (var t in tensors)
            {
                if (t.Shape[0] % t.Type.BlockElements != 0)
                    throw new InvalidDataException($"{path}: tensor '{t.Name}' rows of {t.Shape[0]} are not whole {t.Type.Name} blocks of {t.Type.BlockElements}");
                long end = dataOffset + t.Offset + t.Bytes;
                if (end > size)
                    throw new InvalidDataException($"{path}: truncated: tensor '{t.Name}' ends at byte {end:N0} but the file has {size:N0}");
            }
            return new GgufFile(path, version, metadata, tensors, dataOffset, size);
        }
        catch (EndOfStreamException)
        {
            throw new InvalidDataException($"{path}: truncated GGUF header (the file ends at byte {size:N0})");
        }
    }

    /// <summary>Checks the header (see <see cref="Read"/>) without keeping it.</summary>
    public static void Validate(string path) => Read(path);

    public string? GetString(string key) => Metadata.TryGetValue(key, out var v) && v is string s ? s : null;

    public long? GetInteger(string key) => Metadata.TryGetValue(key, out var v) && v is IConvertible and not string and not float and not double and not bool
        ? Convert.ToInt64(v) : null;

    public string Architecture => GetString("general.architecture") ?? throw new InvalidDataException($"{Path}: no general.architecture in the GGUF metadata");

    private static string ReadString(BinaryReader r, long size, string path)
    {
        ulong n = r.ReadUInt64();
        if (n > (ulong)(size - r.BaseStream.Position)) throw new InvalidDataException($"{path}: truncated GGUF header (a string of {n} bytes runs past the end of the file)");
        return Encoding.UTF8.GetString(r.ReadBytes((int)n));
    }

    private static object ReadValue(BinaryReader r, GgufValueType type, long size, string path, string key) => type switch
    {
        GgufValueType.UInt8 => r.ReadByte(),
        GgufValueType.Int8 => r.ReadSByte(),
        GgufValueType.UInt16 => r.ReadUInt16(),
        GgufValueType.Int16 => r.ReadInt16(),
        GgufValueType.UInt32 => r.ReadUInt32(),
        GgufValueType.Int32 => r.ReadInt32(),
        GgufValueType.Float32 => r.ReadSingle(),
        GgufValueType.Bool => r.ReadByte() != 0,
        GgufValueType.String => ReadString(r, size, path),
        GgufValueType.UInt64 => r.ReadUInt64(),
        GgufValueType.Int64 => r.ReadInt64(),
        GgufValueType.Float64 => r.ReadDouble(),
        GgufValueType.Array => ReadArray(r, size, path, key),
        _ => throw new InvalidDataException($"{path}: metadata key '{key}' has unknown value type {(uint)type}"),
    };

    private static object ReadArray(BinaryReader r, long size, string path, string key)
    {
        var type = (GgufValueType)r.ReadUInt32();
        ulong n = r.ReadUInt64();
        if (n > (ulong)(size - r.BaseStream.Position)) throw new InvalidDataException($"{path}: truncated GGUF header (array '{key}' of {n} items runs past the end of the file)");
        var items = new object[n];
        for (ulong i = 0; i < n; i++) items[i] = ReadValue(r, type, size, path, key);
        return items;
    }
}
