using TorchSharp;
using static TorchSharp.torch;

namespace SmallLlm.Eval.Engine.Training;

/// <summary>
/// torch.nn.utils.clip_grad_norm_ with norm_type 2: the total norm is the 2-norm of the per-parameter gradient
/// 2-norms; every gradient is multiplied by clamp(max_norm / (total + 1e-6), max = 1). Returns the total norm before
/// clipping (what nanoGPT logs as grad_norm).
/// </summary>
public static class GradientClipping
{
    public static double ClipTotalNorm(IEnumerable<Tensor> parameters, double maxNorm)
    {
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        var grads = parameters.Select(p => p.grad).OfType<Tensor>().ToList();
        if (grads.Count == 0) return 0;
        var total = torch.linalg.vector_norm(torch.stack(grads.Select(g => torch.linalg.vector_norm(g)).ToArray()));
        if (maxNorm > 0)
        {
            var coef = (maxNorm / (total + 1e-6)).clamp_max(1.0);
            foreach (var g in grads) g.mul_(coef);
        }
        return total.to(ScalarType.Float64).item<double>();
    }
}
