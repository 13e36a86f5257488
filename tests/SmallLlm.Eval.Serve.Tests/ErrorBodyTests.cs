using SmallLlm.Eval.Remote;

namespace SmallLlm.Eval.Serve.Tests;

/// <summary>The server's reason read from an error body in each shape servers send (issue 24: TGI's body was an internal error).</summary>
public class ErrorBodyTests
{
    [Theory]
    [InlineData("""{"error": {"message": "prompt is too long", "type": "invalid_request_error"}}""", "prompt is too long")]
    [InlineData("""{"error": "Request failed during generation: Server error: CUDA out of memory", "error_type": "generation"}""",
        "Request failed during generation: Server error: CUDA out of memory (generation)")]
    [InlineData("""{"detail": "Not Found"}""", "Not Found")]
    [InlineData("""{"detail": [{"loc": ["body", "prompt"], "msg": "field required"}]}""", """[{"loc":["body","prompt"],"msg":"field required"}]""")]
    [InlineData("""{"message": "model is loading"}""", "model is loading")]
    [InlineData("""{"error": 42}""", """{"error": 42}""")]
    [InlineData("""["not", "an", "object"]""", """["not", "an", "object"]""")]
    [InlineData("Bad Gateway", "Bad Gateway")]
    public void Error_bodies_in_every_shape_give_the_servers_reason(string body, string reason) =>
        Assert.Equal(reason, CompletionsClient.ErrorText(body));
}
