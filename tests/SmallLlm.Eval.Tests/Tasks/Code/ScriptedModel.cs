using System.Text;
using SmallLlm.Eval.Models;
using SmallLlm.Eval.Requests;

namespace SmallLlm.Eval.Tests.Tasks.Code;

/// <summary>A stand-in model whose completions are given per prompt and sample (seed − 1234), and whose
/// log-likelihood of any continuation is −ln 2 per UTF-8 byte (exactly 1 bit per byte).</summary>
public sealed class ScriptedModel(Func<string, int, string> complete) : ILanguageModel
{
    public ModelIdentity Identity { get; } = new("scripted", "scripted", "0", "fp32", 0, "none", false, "scripted");
    public ModelDescription Description { get; } = new(VocabSize: null);
    public int ContextLength => 4096;
    public SmallLlm.Eval.Tokenizers.ITextTokenizer Tokenizer => SmallLlm.Eval.Tokenizers.TokenizerCatalog.Resolve("tok512");
    public long TokensProcessed => 0;
    public int CountPromptTokens(string text) => Encoding.UTF8.GetByteCount(text);

    public IReadOnlyList<LoglikelihoodResponse> Loglikelihood(IReadOnlyList<LoglikelihoodRequest> requests, IProgressSink progress) =>
        requests.Select(r => new LoglikelihoodResponse(-Math.Log(2) * Encoding.UTF8.GetByteCount(r.Continuation), false, 1, false)).ToList();

    public IReadOnlyList<RollingLoglikelihoodResponse> LoglikelihoodRolling(IReadOnlyList<RollingLoglikelihoodRequest> requests, IProgressSink progress) =>
        throw new NotSupportedException();

    public IReadOnlyList<GenerateResponse> GenerateUntil(IReadOnlyList<GenerateRequest> requests, IProgressSink progress) =>
        requests.Select(r => new GenerateResponse(complete(r.Context, (int)(r.Seed - 1234)), 1)).ToList();
}
