using TorchSharp;
using static TorchSharp.torch;

namespace SmallLlm.Eval.Engine.Training;

/// <summary>
/// torch.optim.AdamW as PyTorch computes it on CPU (the single-tensor path, amsgrad off): per parameter
/// step += 1; p *= 1 − lr·wd; m = lerp(m, g, 1 − β1); v = β2·v + (1 − β2)·g²;
/// p −= lr/(1 − β1^step) · m / (√v / √(1 − β2^step) + eps). Weight decay applies to parameters of two or more
/// dimensions only (nanoGPT's groups: matrices and embeddings decay, norms and biases do not).
/// </summary>
public sealed class AdamW : IDisposable
{
    public double Beta1 { get; }
    public double Beta2 { get; }
    public double Eps { get; }
    public double WeightDecay { get; }
    /// <summary>Optimizer steps taken (PyTorch keeps one per parameter; all are equal here).</summary>
    public long Step { get; private set; }

    private readonly IReadOnlyList<(string Name, Tensor Parameter)> _parameters;
    private readonly Tensor[] _expAvg;
    private readonly Tensor[] _expAvgSq;

    public AdamW(IReadOnlyList<(string Name, Tensor Parameter)> parameters, double beta1 = 0.9, double beta2 = 0.95, double eps = 1e-8, double weightDecay = 0.1)
    {
        _parameters = parameters;
        (Beta1, Beta2, Eps, WeightDecay) = (beta1, beta2, eps, weightDecay);
        _expAvg = parameters.Select(p => torch.zeros_like(p.Parameter)).ToArray();
        _expAvgSq = parameters.Select(p => torch.zeros_like(p.Parameter)).ToArray();
    }

    public static bool Decays(Tensor parameter) => parameter.dim() >= 2;

    public void Update(double lr)
    {
        Step++;
        double biasCorrection1 = 1 - Math.Pow(Beta1, Step);
        double biasCorrection2Sqrt = Math.Sqrt(1 - Math.Pow(Beta2, Step));
        double stepSize = lr / biasCorrection1;
        using var noGrad = torch.no_grad();
        for (int i = 0; i < _parameters.Count; i++)
        {
            var p = _parameters[i].Parameter;
            var g = p.grad ?? throw new InvalidOperationException($"parameter '{_parameters[i].Name}' has no gradient");
            if (Decays(p) && WeightDecay != 0) p.mul_(1 - lr * WeightDecay);
            _expAvg[i].lerp_(g, 1 - Beta1);
            _expAvgSq[i].mul_(Beta2).addcmul_(g, g, 1 - Beta2);
            using var denom = _expAvgSq[i].sqrt().div_(biasCorrection2Sqrt).add_(Eps);
            p.addcdiv_(_expAvg[i], denom, -stepSize);
        }
    }

    /// <summary>The moment tensors under the parameter names (for checkpoints): name.exp_avg, name.exp_avg_sq.</summary>
    public IEnumerable<(string Name, Tensor Tensor)> State() =>
        _parameters.SelectMany((p, i) => new[] { (p.Name + ".exp_avg", _expAvg[i]), (p.Name + ".exp_avg_sq", _expAvgSq[i]) });

    /// <summary>Restores moments and the step count saved by <see cref="State"/>.</summary>
    public void Restore(long step, IReadOnlyDictionary<string, Tensor> state)
    {
        using var noGrad = torch.no_grad();
        for (int i = 0; i < _parameters.Count; i++)
        {
            _expAvg[i].copy_(Find(state, _parameters[i].Name + ".exp_avg", _expAvg[i]));
            _expAvgSq[i].copy_(Find(state, _parameters[i].Name + ".exp_avg_sq", _expAvgSq[i]));
        }
        Step = step;
    }

    private static Tensor Find(IReadOnlyDictionary<string, Tensor> state, string name, Tensor like)
    {
        if (!state.TryGetValue(name, out var t)) throw new InvalidDataException($"optimizer state lacks tensor '{name}'");
        if (!t.shape.SequenceEqual(like.shape))
            throw new InvalidDataException($"optimizer tensor '{name}' has shape [{string.Join(", ", t.shape)}], expected [{string.Join(", ", like.shape)}]");
        return t;
    }

    public void Dispose()
    {
        foreach (var t in _expAvg.Concat(_expAvgSq)) t.Dispose();
    }
}
