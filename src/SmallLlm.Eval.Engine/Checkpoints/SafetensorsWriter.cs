using System.Text;
using System.Text.Json;
using static TorchSharp.torch;

namespace SmallLlm.Eval.Engine.Checkpoints;

/// <summary>Writes tensors to a <c>.safetensors</c> file atomically (temporary file, then rename).</summary>
public static class SafetensorsWriter
{
    public static void Write(string path, IEnumerable<(string Name, Tensor Tensor)> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        var list = tensors.ToList();
        var header = new Dictionary<string, object>();
        if (metadata is { Count: > 0 }) header["__metadata__"] = metadata;
        long offset = 0;
        foreach (var (name, t) in list)
        {
            long bytes = t.numel() * SafetensorsDType.ElementSize(t.dtype);
            header[name] = new Dictionary<string, object>
            {
                ["dtype"] = SafetensorsDType.FromScalarType(t.dtype),
                ["shape"] = t.shape,
                ["data_offsets"] = new[] { offset, offset + bytes },
            };
            offset += bytes;
        }
        byte[] json = Encoding.UTF8.GetBytes(JsonSerializer.Serialize(header));
        int padded = (json.Length + 7) / 8 * 8; // keeps the data section 8-byte aligned, as the reference writer does
        var headerBytes = new byte[padded];
        Array.Fill(headerBytes, (byte)' ');
        json.CopyTo(headerBytes, 0);

        string tmp = path + ".tmp";
        using (var fs = new FileStream(tmp, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20))
        {
            fs.Write(BitConverter.GetBytes((long)padded));
            fs.Write(headerBytes);
            foreach (var (_, t) in list)
            {
                using var c = t.contiguous();
                fs.Write(c.bytes);
            }
        }
        File.Move(tmp, path, overwrite: true);
    }
}
