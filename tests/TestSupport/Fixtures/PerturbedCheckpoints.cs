using SmallLlm.Eval.Engine.Checkpoints;
using TorchSharp;

namespace SmallLlm.Eval.TestSupport;

/// <summary>
/// A real series of checkpoints: stories260K saved as Hugging Face folders with seeded Gaussian noise added to every
/// tensor, scaled to that tensor's own standard deviation. More noise stands in for less training, so the metric
/// should rise with the step, and the names (step-50, step-200, step-1000) sort wrongly as text.
/// </summary>
public static class PerturbedCheckpoints
{
    /// <summary>(folder name, noise as a fraction of each tensor's std): large, medium, noise-level.</summary>
    public static readonly (string Name, double RelativeNoise)[] Series = [("step-50", 1.0), ("step-200", 0.3), ("step-1000", 0.05)];

    public static void Write(string dir) => Write(dir, Series);

    /// <summary>Writes one folder per (name, relative noise) under <paramref name="dir"/>, with seeds 7, 8, ... in order.</summary>
    public static void Write(string dir, IEnumerable<(string Name, double RelativeNoise)> series)
    {
        int seed = 7;
        foreach (var (name, noise) in series)
        {
            using var weights = CheckpointLoader.Load("stories260K");
            var generator = new torch.Generator((ulong)seed++);
            foreach (var t in weights.Tensors.Values)
            {
                using var n = torch.randn(t.shape, generator: generator) * (t.std().item<float>() * noise);
                t.add_(n);
            }
            HuggingFaceCheckpoint.Save(weights, Path.Combine(dir, name));
        }
    }
}
