namespace SmallLlm.Eval.Models;

/// <summary>What the results' model and machine blocks record about a backend beyond its <see cref="ModelIdentity"/>.</summary>
/// <param name="VocabSize">The model's vocabulary (null: the backend does not know it, e.g. a remote server).</param>
/// <param name="DTypeRequested">The precision asked for ("auto", "fp32", ...; null: not asked, the backend's own).</param>
/// <param name="DTypeReason">Why the precision is what it is.</param>
public sealed record ModelDescription(int? VocabSize, string? DTypeRequested = null, string? DTypeReason = null);
