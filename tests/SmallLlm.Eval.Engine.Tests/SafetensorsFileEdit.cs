using System.Text;
using System.Text.Json.Nodes;
using SmallLlm.Eval.Engine.Checkpoints;

namespace SmallLlm.Eval.Engine.Tests;

/// <summary>Damages a checkpoint's safetensors file the way the bad-input tests need: its JSON header edited in place.</summary>
internal static class SafetensorsFileEdit
{
    public static string WeightsPath(string dir) => Path.Combine(dir, HuggingFaceCheckpoint.WeightsFile);

    /// <summary>Rewrites the header through <paramref name="edit"/>, keeps the data, and appends <paramref name="appendData"/>.</summary>
    public static void RewriteHeader(string path, Action<JsonObject> edit, byte[]? appendData = null)
    {
        var bytes = File.ReadAllBytes(path);
        long len = BitConverter.ToInt64(bytes, 0);
        var header = JsonNode.Parse(Encoding.UTF8.GetString(bytes, 8, (int)len))!.AsObject();
        edit(header);
        byte[] json = Encoding.UTF8.GetBytes(header.ToJsonString());
        using var fs = File.Create(path);
        fs.Write(BitConverter.GetBytes((long)json.Length));
        fs.Write(json);
        fs.Write(bytes, (int)(8 + len), (int)(bytes.Length - 8 - len));
        if (appendData is not null) fs.Write(appendData);
    }
}
