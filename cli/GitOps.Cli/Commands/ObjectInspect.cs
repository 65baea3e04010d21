using System.Text.Json;
using System.Text.Json.Nodes;
using GitOps.Cli.Api;
using GitOps.Cli.Client;
using GitOps.Cli.Output;

namespace GitOps.Cli.Commands;

/// <summary>inspect for volumes, secrets and configs: a JSON array, or one template line per object.</summary>
internal static class ObjectInspect
{
    public static async Task<int> RunAsync(DaemonClient client, string kind, IEnumerable<string> names, Func<string, string> path,
        string? format, CancellationToken ct)
    {
        var docs = new List<JsonElement>();
        var failed = false;
        foreach (var n in names)
        {
            try { docs.Add(await client.GetJsonAsync(path(n), ApiJson.Default.JsonElement, ct)); }
            catch (ApiException e) when (e.Status == 404)
            {
                Console.Error.WriteLine($"gitops: Error: No such {kind}: {n}");
                failed = true;
            }
        }
        if (format is not null)
        {
            var template = GoTemplate.Parse(format);
            foreach (var d in docs) Console.WriteLine(template.Execute(JsonNode.Parse(d.GetRawText())));
        }
        else Console.WriteLine(JsonSerializer.Serialize(docs, IndentedJson.Default.ListJsonElement));
        return failed ? 1 : 0;
    }
}
