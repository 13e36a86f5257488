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
            foreach (var prop in doc.RootElement.EnumerateObject())
            {
                if (prop.Name == "__metadata__")
                {
                    foreach (var m in prop.Value.EnumerateObject()) metadata[m.Name] = m.Value.ToString();
                    continue;
                }
                var e = prop.Value;
                string where = $"{Path}: tensor '{prop.Name}'";
                if (!e.TryGetProperty("dtype", out var dt) || !e.TryGetProperty("shape", out var sh) ||
                    !e.TryGetProperty("data_offsets", out var off) || off.GetArrayLength() != 2)
                    throw new InvalidDataException($"{where}: header entry needs dtype, shape and data_offsets [begin, end]");
                string dtype = dt.GetString() ?? "";
                var scalar = SafetensorsDType.ToScalarType(dtype, Path, prop.Name);
                long[] shape = sh.EnumerateArray().Select(x => x.GetInt64()).ToArray();
                long begin = off[0].GetInt64(), end = off[1].GetInt64();
                long expectedBytes = shape.Aggregate(1L, (a, b) => a * b) * SafetensorsDType.ElementSize(scalar);
                if (begin < 0 || end < begin || end > dataLength)
                    throw new InvalidDataException(
                        $"{where}: data_offsets [{begin}, {end}] lie outside the data section ({dataLength} bytes); the file is truncated or the header is wrong");
                if (end - begin != expectedBytes)
                    throw new InvalidDataException(
                        $"{where}: data_offsets span {end - begin} bytes but {dtype} shape [{string.Join(", ", shape)}] needs {expectedBytes}");
                entries[prop.Name] = new Entry(prop.Name, dtype, shape, begin, end);
            }
        }
        return (entries, metadata, dataStart);
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
