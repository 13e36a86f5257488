using TorchSharp;
using static TorchSharp.torch;

namespace SmallLlm.Eval.Engine;

/// <summary>
/// cos/sin tables [positions, head_dim] in rotate_half layout (each frequency twice), built for the positions runs
/// actually reach (grown by doubling), not for the whole max_position_embeddings (131,072 for Llama 3.2). Dynamic NTK
/// scaling beyond the original context depends on the pass's length, so those tables are built per pass.
/// </summary>
internal sealed class RotaryTables : IDisposable
{
    private const int MinimumRows = 256;
    private readonly LlamaConfig _config;
    private readonly ScalarType _dtype;
    private readonly object _gate = new();
    private Tensor _cos;
    private Tensor _sin;
    private int _rows;

    public RotaryTables(LlamaConfig config, ScalarType dtype)
    {
        _config = config;
        _dtype = dtype;
        (_cos, _sin) = Kept(Build(RotaryFrequencies.InverseFrequencies(config.HeadDim, config.RopeTheta, config.RopeScaling), 0, 0));
    }

    /// <summary>Positions built so far (for tests and memory reports).</summary>
    public int Rows => _rows;

    /// <summary>(cos, sin) [length, head_dim] for positions [start, start + length), owned by the caller's dispose scope.</summary>
    public (Tensor Cos, Tensor Sin) For(int start, int length)
    {
        int end = start + length;
        if (_config.RopeScaling is { } s && s.DependsOnLength(end))
            return Build(s.InverseFrequencies(_config.HeadDim, _config.RopeTheta, end), start, length);
        lock (_gate)
        {
            if (end > _rows)
            {
                int rows = (int)Math.Min(_config.MaxPositionEmbeddings, Math.Max(end, Math.Max(MinimumRows, 2L * _rows)));
                var (cos, sin) = Kept(Build(RotaryFrequencies.InverseFrequencies(_config.HeadDim, _config.RopeTheta, _config.RopeScaling), 0, rows));
                _cos.Dispose();
                _sin.Dispose();
                (_cos, _sin, _rows) = (cos, sin, rows);
            }
            return (_cos.narrow(0, start, length), _sin.narrow(0, start, length));
        }
    }

    /// <summary>(cos, sin) [batch, 1, T, head_dim] for each row's own positions [batch, T] (batched decoding); the caller disposes them.</summary>
    public (Tensor Cos, Tensor Sin) At(Tensor positions, long batch, long length)
    {
        int end = (int)positions.max().item<long>() + 1;
        var (cos, sin) = For(0, end);
        using (cos) using (sin) using (var flat = positions.flatten())
            return (cos.index_select(0, flat).view(batch, 1, length, _config.HeadDim),
                    sin.index_select(0, flat).view(batch, 1, length, _config.HeadDim));
    }

    private (Tensor Cos, Tensor Sin) Build(double[] inverseFrequencies, int start, int length)
    {
        int d = _config.HeadDim, half = d / 2;
        var cos = new float[length * d];
        var sin = new float[cos.Length];
        for (int i = 0; i < length; i++)
            for (int j = 0; j < half; j++)
            {
                double angle = (double)(start + i) * inverseFrequencies[j];
                cos[i * d + j] = cos[i * d + j + half] = (float)Math.Cos(angle);
                sin[i * d + j] = sin[i * d + j + half] = (float)Math.Sin(angle);
            }
        using var cos32 = torch.tensor(cos, [length, d]);
        using var sin32 = torch.tensor(sin, [length, d]);
        return (cos32.to(_dtype), sin32.to(_dtype));
    }

    /// <summary>Detached: a kept table outlives the dispose scope of the forward pass that happened to build it.</summary>
    private static (Tensor Cos, Tensor Sin) Kept((Tensor Cos, Tensor Sin) t) => (t.Cos.DetachFromDisposeScope(), t.Sin.DetachFromDisposeScope());

    public void Dispose()
    {
        _cos.Dispose();
        _sin.Dispose();
    }
}
