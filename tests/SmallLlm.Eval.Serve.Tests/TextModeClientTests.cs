using SmallLlm.Eval.Models;
using SmallLlm.Eval.Remote;
using SmallLlm.Eval.Requests;

namespace SmallLlm.Eval.Serve.Tests;

/// <summary>The remote client against a server that takes only text prompts: it scores when the server tokenizes as we
/// do, and fails loudly, naming the cause, when it does not.</summary>
public class TextModeClientTests
{
    private static readonly LoglikelihoodRequest[] Requests =
    [
        new("Once upon a time, there was a little girl", " named Lily."),
        new("The cat sat on the", " mat."),
        new("Tom had a dog. The dog was", " happy."),
    ];

    [Fact]
    public async Task Text_prompts_score_like_the_engine_when_the_server_tokenizes_as_we_do()
    {
        var tok = LocalModelLoader.ResolveTokenizer("stories260K", null);
        await using var server = await TextOnlyServer.StartAsync(tok);
        using var remote = RemoteLanguageModel.Connect(new RemoteOptions { BaseUrl = server.Url + "/v1", Model = "stories260K" }, tok);
        Assert.False(remote.SendsTokenIds); // the probe's token ids were refused: prompts go as text
        using var local = LocalModelLoader.Load("stories260K");
        ScoreComparison.AssertSameAsEngine(local, remote, Requests);
    }

    [Fact]
    public async Task A_server_that_tokenizes_differently_is_a_named_error()
    {
        var tok = LocalModelLoader.ResolveTokenizer("stories260K", null);
        await using var server = await TextOnlyServer.StartAsync(new ByteFallbackTokenizer());
        using var remote = RemoteLanguageModel.Connect(new RemoteOptions { BaseUrl = server.Url + "/v1", Model = "stories260K" }, tok);
        Assert.False(remote.SendsTokenIds);
        var e = Assert.Throws<RemoteModelException>(() => remote.Loglikelihood(Requests, IProgressSink.None));
        Assert.Contains("the server's tokenization differs from", e.Message);
        Assert.Contains(tok.Name, e.Message);
    }
}
