using GitOps.Cli.Api;
using GitOps.Runtime;
using GitOps.Runtime.Images;
using GitOps.Runtime.Images.Registry;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace GitOps.Cli.Daemon;

/// <summary>Pull, push and registry logins.</summary>
internal static class RegistryEndpoints
{
    public static void Map(WebApplication app, Engine engine)
    {
        // docker's POST /images/create?fromImage=busybox&tag=latest: progress as JSON lines.
        app.MapPost("/images/create", ctx =>
        {
            var from = ctx.Query("fromImage") ?? throw new InvalidArgumentException("fromImage is required");
            var tag = ctx.Query("tag");
            var name = tag is { Length: > 0 } ? (tag.StartsWith("sha256:", StringComparison.Ordinal) ? $"{from}@{tag}" : $"{from}:{tag}") : from;
            var reference = ImageReference.Parse(name);
            return ProgressStreaming.RunAsync(ctx, async (progress, ct) =>
            {
                var record = await engine.Puller.PullAsync(reference, ctx.Query("platform"), progress, ct);
                progress(new ProgressMessage { Aux = new AuxId { Id = record.Id } });
            });
        });

        // docker's POST /auth: the daemon proves the credentials against the registry, then keeps them.
        app.MapPost("/auth", async ctx =>
        {
            var body = await ctx.ReadJsonAsync(RequestJson.Default.AuthRequest);
            var registry = CredentialStore.Key(body.ServerAddress ?? ImageReference.DefaultDomain);
            // HOST[:PORT] as an image reference names it (a DNS name is at most 253 characters): anything else could
            // only fail later, inside the HTTP client.
            if (registry.Length > 253 + 6 || !Uri.TryCreate("https://" + registry + "/", UriKind.Absolute, out var uri) || uri.PathAndQuery != "/" || uri.UserInfo.Length > 0)
                throw new InvalidArgumentException($"invalid registry address \"{GitOps.Runtime.InputLimits.Clip(body.ServerAddress)}\": expected HOST[:PORT]");
            var credential = new Credential(body.Username ?? "", body.Password ?? "");
            using (var client = new RegistryClient(registry, engine.Registry, credential))
                await client.PingAsync(authenticate: true, ctx.RequestAborted);
            engine.Credentials.Set(registry, credential);
            await ctx.JsonAsync(new AuthResponse("Login Succeeded"), ApiJson.Default.AuthResponse);
        });

        app.MapDelete("/auth/{**registry}", ctx =>
        {
            var registry = CredentialStore.Key(ctx.Route("registry"));
            if (!engine.Credentials.Remove(registry)) throw new NotFoundException($"Not logged in to {registry}");
            return ctx.NoContent();
        });
    }
}
