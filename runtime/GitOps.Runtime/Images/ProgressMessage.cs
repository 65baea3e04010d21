using System.Text.Json.Serialization;

namespace GitOps.Runtime.Images;

/// <summary>
/// One line of a pull, push, load or build stream, shaped like Docker's JSON messages:
/// {"status":"Downloading","id":"a3ed95caeb02","progressDetail":{"current":1,"total":2}},
/// {"stream":"Step 1/3 : FROM bb\n"}, {"error":"...","errorDetail":{"message":"..."}}, {"aux":{"ID":"sha256:..."}}.
/// </summary>
public sealed record ProgressMessage
{
    [JsonPropertyName("id")] public string? Id { get; set; }
    [JsonPropertyName("status")] public string? Status { get; set; }
    [JsonPropertyName("progressDetail")] public ProgressDetail? Detail { get; set; }
    [JsonPropertyName("stream")] public string? Stream { get; set; }
    [JsonPropertyName("error")] public string? Error { get; set; }
    [JsonPropertyName("errorDetail")] public ErrorDetail? ErrorDetail { get; set; }
    [JsonPropertyName("aux")] public AuxId? Aux { get; set; }

    public static ProgressMessage Line(string status, string? id = null) => new() { Status = status, Id = id };
    public static ProgressMessage Bytes(string status, string id, long current, long? total) =>
        new() { Status = status, Id = id, Detail = new ProgressDetail { Current = current, Total = total } };
    public static ProgressMessage Text(string text) => new() { Stream = text };
    public static ProgressMessage Failure(string message) => new() { Error = message, ErrorDetail = new ErrorDetail { Message = message } };
}

public sealed record ProgressDetail
{
    [JsonPropertyName("current")] public long Current { get; set; }
    [JsonPropertyName("total")] public long? Total { get; set; }
}

public sealed record ErrorDetail
{
    [JsonPropertyName("message")] public string? Message { get; set; }
}

public sealed record AuxId
{
    [JsonPropertyName("ID")] public string? Id { get; set; }
}

[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(ProgressMessage))]
public sealed partial class ProgressJson : JsonSerializerContext;
