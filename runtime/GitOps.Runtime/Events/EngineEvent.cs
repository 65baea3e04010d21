using System.Text.Json.Serialization;

namespace GitOps.Runtime.Events;

/// <summary>A lifecycle event, in the shape of Docker's /events messages.</summary>
public sealed record EngineEvent(
    [property: JsonPropertyName("Type")] string Type,
    [property: JsonPropertyName("Action")] string Action,
    [property: JsonPropertyName("Actor")] EventActor Actor,
    [property: JsonPropertyName("time")] long Time,
    [property: JsonPropertyName("timeNano")] long TimeNano)
{
    public static EngineEvent Create(string type, string action, string id, IReadOnlyDictionary<string, string> attributes)
    {
        var now = DateTimeOffset.UtcNow;
        var nanos = (now.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) * 100;
        return new EngineEvent(type, action, new EventActor(id, new Dictionary<string, string>(attributes)), now.ToUnixTimeSeconds(), nanos);
    }
}

public sealed record EventActor(
    [property: JsonPropertyName("ID")] string Id,
    [property: JsonPropertyName("Attributes")] Dictionary<string, string> Attributes);
