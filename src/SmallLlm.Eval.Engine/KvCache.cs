using TorchSharp;
using static TorchSharp.torch;

namespace SmallLlm.Eval.Engine;

/// <summary>
/// Keys and values of every layer for a batch of sequences, preallocated to a capacity so decoding appends in place.
/// Shapes: [batch, kv_heads, capacity, head_dim].
/// </summary>
public sealed class KvCache : IDisposable
{
    private readonly Tensor[] _keys;
    private readonly Tensor[] _values;
    public int Batch { get; private set; }
    public int Capacity { get; }
    /// <summary>Positions filled so far.</summary>
    public int Length { get; private set; }

    public KvCache(LlamaConfig config, int batch, int capacity, ScalarType dtype)
    {
        Batch = batch;
        Capacity = capacity;
        _keys = new Tensor[config.NumLayers];
        _values = new Tensor[config.NumLayers];
        for (int l = 0; l < config.NumLayers; l++)
        {
            _keys[l] = torch.empty([batch, config.NumKeyValueHeads, capacity, config.HeadDim], dtype: dtype);
            _values[l] = torch.empty([batch, config.NumKeyValueHeads, capacity, config.HeadDim], dtype: dtype);
        }
    }

    /// <summary>Writes this step's keys/values at [Length, Length+T) and returns views over everything cached so far.</summary>
    internal (Tensor Keys, Tensor Values) Append(int layer, Tensor k, Tensor v)
    {
        int t = (int)k.shape[2];
        if (Length + t > Capacity)
            throw new InvalidOperationException($"KV cache full: {Length} + {t} positions exceed its capacity {Capacity}");
        using (var dk = _keys[layer].narrow(2, Length, t)) dk.copy_(k);
        using (var dv = _values[layer].narrow(2, Length, t)) dv.copy_(v);
        return (_keys[layer].narrow(2, 0, Length + t), _values[layer].narrow(2, 0, Length + t));
    }

    /// <summary>Called once per forward pass, after every layer appended.</summary>
    internal void Advance(int positions) => Length += positions;

    /// <summary>A new cache for <paramref name="batch"/> sequences that all start with this (batch-1) cache's contents.</summary>
    public KvCache Broadcast(LlamaConfig config, int batch, int capacity)
    {
        if (Batch != 1) throw new InvalidOperationException("only a single-sequence cache can be broadcast");
        var copy = new KvCache(config, batch, capacity, _keys[0].dtype) { Length = Length };
        for (int l = 0; l < _keys.Length; l++)
        {
            using (var src = _keys[l].narrow(2, 0, Length)) using (var dst = copy._keys[l].narrow(2, 0, Length)) dst.copy_(src);
            using (var src = _values[l].narrow(2, 0, Length)) using (var dst = copy._values[l].narrow(2, 0, Length)) dst.copy_(src);
        }
        return copy;
    }

    /// <summary>
    /// The first <paramref name="rows"/> sequences as a cache of their own over this one's storage (no copy). It starts at
    /// this cache's length and writes after it, leaving this cache's positions as they are: a prefix broadcast once into a
    /// cache serves batch after batch of suffixes.
    /// </summary>
    public KvCache FirstRows(int rows)
    {
        if (rows < 1 || rows > Batch) throw new ArgumentOutOfRangeException(nameof(rows), $"{rows} rows of a cache of {Batch}");
        return new KvCache(_keys.Select(k => k.narrow(0, 0, rows)).ToArray(), _values.Select(v => v.narrow(0, 0, rows)).ToArray(), Capacity)
        {
            Batch = rows, Length = Length,
        };
    }

    private KvCache(Tensor[] keys, Tensor[] values, int capacity)
    {
        _keys = keys;
        _values = values;
        Capacity = capacity;
    }

    /// <summary>Keeps only the given rows (finished sequences of a batch are dropped so they cost nothing more).</summary>
    public void KeepRows(long[] rows)
    {
        using var index = torch.tensor(rows);
        for (int l = 0; l < _keys.Length; l++)
        {
            var k = _keys[l].index_select(0, index);
            var v = _values[l].index_select(0, index);
            _keys[l].Dispose();
            _values[l].Dispose();
            (_keys[l], _values[l]) = (k, v);
        }
        Batch = rows.Length;
    }

    public long Bytes => _keys.Sum(k => k.numel() * k.element_size()) * 2;

    public void Dispose()
    {
        foreach (var t in _keys) t.Dispose();
        foreach (var t in _values) t.Dispose();
    }
}
