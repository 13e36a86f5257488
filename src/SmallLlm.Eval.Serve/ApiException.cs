namespace SmallLlm.Eval.Serve;

/// <summary>A request the server refuses, answered as OpenAI-style error JSON with this status.</summary>
public sealed class ApiException(int status, string message, string? param = null, string type = "invalid_request_error")
    : Exception(message)
{
    public int Status => status;
    public string? Param => param;
    public string Type => type;

    public static ApiException BadRequest(string message, string? param = null) => new(400, message, param);
}
