using System.Text.Json;
using TorchSharp;
using static TorchSharp.torch;

namespace SmallLlm.Eval.Engine.Checkpoints;

/// <summary>
/// Reads a <c>.safetensors</c> file: an 8-byte little-endian header length, a JSON header of
/// <c>{name: {dtype, shape, data_offsets: [begin, end]}}</c>, then the raw bytes. Tensors are streamed straight into
/// torch memory one at a time, so the weights are never held twice.
/// </summary>
public sealed class SafetensorsReader : IDisposable
{
    public sealed record Entry(string Name, string DType, long[] Shape, long Begin, long End);

    private readonly FileStream _stream;
    private readonly long _dataStart;
    public string Path { get; }
    public IReadOnlyDictionary<string, Entry> Entries { get; }
    public IReadOnlyDictionary<string, string> Metadata { get; }

    public SafetensorsReader(string path)
    {
        Path = path;
        if (!File.Exists(path)) throw new FileNotFoundException($"{path}: safetensors file not found");
        _stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20);
        try
        {
            (Entries, Metadata, _dataStart) = ReadHeader();
        }
        catch
        {
            _stream.Dispose();
            throw;
        }
    }

    private (Dictionary<string, Entry>, Dictionary<string, string>, long) ReadHeader()
    {
        long fileLength = _stream.Length;
        if (fileLength < 8) throw new InvalidDataException($"{Path}: truncated safetensors file ({fileLength} bytes, no header)");
        Span<byte> lenBytes = stackalloc byte[8];
        _stream.ReadExactly(lenBytes);
        long headerLength = BitConverter.ToInt64(lenBytes);
        if (headerLength <= 0 || headerLength > 100_000_000 || 8 + headerLength > fileLength)
            throw new InvalidDataException(
                $"{Path}: safetensors header length {headerLength} does not fit the file ({fileLength} bytes)");
        var headerBytes = new byte[headerLength];
        _stream.ReadExactly(headerBytes);
        long dataStart = 8 + headerLength;
        long dataLength = fileLength - dataStart;

        JsonDocument doc;
        try { doc = JsonDocument.Parse(headerBytes); }
        catch (JsonException e) { throw new InvalidDataException($"{Path}: safetensors header is not valid JSON: {e.Message}"); }

        var entries = new Dictionary<string, Entry>();
        var metadata = new Dictionary<string, string>();
        using (doc)
        {
            if (doc.RootElement.ValueKind != JsonValueKind.Object)
                throw new InvalidDataException($"{Path}: safetensors header is a JSON {doc.RootElement.ValueKind.ToString().ToLowerInvariant()}, expected an object of tensors");
            foreach (var prop in doc.RootElement.EnumerateObject())
            {
                if (prop.Name == "__metadata__")
                {
                    if (prop.Value.ValueKind != JsonValueKind.Object)
                        throw new InvalidDataException($"{Path}: safetensors __metadata__ must be an object of strings");
                    foreach (var m in prop.Value.EnumerateObject()) metadata[m.Name] = m.Value.ToString();
                    continue;
                }
                entries[prop.Name] = ReadEntry(prop, dataLength);
            }
        }
        // Tensors must not share bytes: overlapping ranges mean a corrupt or crafted header.
        Entry? previous = null;
        foreach (var e in entries.Values.Where(e => e.End > e.Begin).OrderBy(e => e.Begin))
        {
            if (previous is not null && e.Begin < previous.End)
                throw new InvalidDataException(
                    $"{Path}: tensors '{previous.Name}' [{previous.Begin}, {previous.End}) and '{e.Name}' [{e.Begin}, {e.End}) overlap in the data section");
            previous = e;
        }
        return (entries, metadata, dataStart);
    }

    private Entry ReadEntry(JsonProperty prop, long dataLength)
    {
        var e = prop.Value;
        string where = $"{Path}: tensor '{prop.Name}'";
        if (e.ValueKind != JsonValueKind.Object || !e.TryGetProperty("dtype", out var dt) || dt.ValueKind != JsonValueKind.String ||
            !e.TryGetProperty("shape", out var sh) || sh.ValueKind != JsonValueKind.Array ||
            !e.TryGetProperty("data_offsets", out var off) || off.ValueKind != JsonValueKind.Array || off.GetArrayLength() != 2)
            throw new InvalidDataException($"{where}: header entry needs dtype, shape and data_offsets [begin, end]");
        string dtype = dt.GetString()!;
        var scalar = SafetensorsDType.ToScalarType(dtype, Path, prop.Name);
        long Number(JsonElement x, string what) =>
            x.ValueKind == JsonValueKind.Number && x.TryGetInt64(out long v) && v >= 0 ? v
                : throw new InvalidDataException($"{where}: {what} {x.GetRawText()} is not an integer in [0, 2^63)");
        long[] shape = sh.EnumerateArray().Select(x => Number(x, "shape dimension")).ToArray();
        long begin = Number(off[0], "data offset"), end = Number(off[1], "data offset");
        long expectedBytes = SafetensorsDType.ElementSize(scalar);
        foreach (long dim in shape)
            if (dim != 0 && expectedBytes > long.MaxValue / dim)
                throw new InvalidDataException($"{where}: shape [{string.Join(", ", shape)}] has more bytes than a file can hold");
            else expectedBytes *= dim;
        if (end < begin || end > dataLength)
            throw new InvalidDataException(
                $"{where}: data_offsets [{begin}, {end}] lie outside the data section ({dataLength} bytes); the file is truncated or the header is wrong");
        if (end - begin != expectedBytes)
            throw new InvalidDataException(
                $"{where}: data_offsets span {end - begin} bytes but {dtype} shape [{string.Join(", ", shape)}] needs {expectedBytes}");
        return new Entry(prop.Name, dtype, shape, begin, end);
    }

    /// <summary>Reads one tensor and converts it to <paramref name="target"/> (one transient copy of that tensor only).</summary>
    public Tensor Read(string name, ScalarType target)
    {
        if (!Entries.TryGetValue(name, out var entry))
            throw new InvalidDataException($"{Path}: tensor '{name}' is missing");
        var source = SafetensorsDType.ToScalarType(entry.DType, Path, name);
        var tensor = torch.empty(entry.Shape, dtype: source);
        try
        {
            _stream.Position = _dataStart + entry.Begin;
            var span = tensor.bytes; // a view of the tensor's own memory
            _stream.ReadExactly(span);
        }
        catch (EndOfStreamException)
        {
            tensor.Dispose();
            throw new InvalidDataException($"{Path}: tensor '{name}' is cut short: the file is truncated");
        }
        if (source == target) return tensor;
        var converted = tensor.to(target);
        tensor.Dispose();
        return converted;
    }

    public void Dispose() => _stream.Dispose();
}
