using System.Net;
using System.Security.Authentication;
using GitOps.Cluster;
using GitOps.Cluster.Membership;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.Logging;

namespace GitOps.Cli.Daemon;

/// <summary>
/// A manager's join endpoint: HTTPS on its advertise address, port 2377, with the manager's certificate.
/// GET /ca (the public CA certificate, which the joining node checks against its token's digest), POST /join
/// (token-authenticated), POST /promote (mutual TLS: a promoted node's own certificate). Nothing else is
/// served there; the full API stays on the root-only Unix socket.
/// </summary>
internal sealed class ClusterListener(WebApplication app) : IAsyncDisposable
{
    public static async Task<IAsyncDisposable> StartAsync(ClusterNode node)
    {
        var state = node.State!;
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(o =>
        {
            o.AddServerHeader = false;
            o.Limits.MaxRequestBodySize = 64 * 1024;
            o.Listen(IPAddress.Parse(state.Address), state.JoinPort, l => l.UseHttps(new HttpsConnectionAdapterOptions
            {
                ServerCertificate = node.NodeCertificate,
                SslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13,
                // A joining node has no certificate yet; a promoted one shows its own, checked against our CA.
                ClientCertificateMode = ClientCertificateMode.AllowCertificate,
                ClientCertificateValidation = (cert, _, _) => node.Ca?.Validates(cert, requireServerAuth: false) == true,
            }));
        });
        var app = builder.Build();
        app.MapGet("/ca", () => Results.Text(node.Ca!.CertificatePem, "application/x-pem-file"));
        app.MapPost("/join", async ctx => await Answer(ctx, async ct =>
            await node.Issuer.JoinAsync(await ctx.ReadJsonAsync(StoreJson.Default.JoinRequest), ct)));
        app.MapPost("/promote", async ctx => await Answer(ctx, async ct =>
            ctx.Connection.ClientCertificate is { } cert
                ? await node.Issuer.PromoteAsync(cert, ct)
                : throw new ClusterException("a promotion needs the node's own certificate", 401)));
        try { await app.StartAsync(); }
        catch (IOException e)
        {
            node.Log($"cluster: cannot listen for joins on {state.Address}:{state.JoinPort}: {e.Message}");
            await app.DisposeAsync();
            throw new ClusterException($"cannot listen for joins on {state.Address}:{state.JoinPort}: {e.Message}", 500);
        }
        node.Log($"cluster: accepting joins on https://{state.Address}:{state.JoinPort}");
        return new ClusterListener(app);
    }

    static async Task Answer(HttpContext ctx, Func<CancellationToken, Task<JoinResponse>> action)
    {
        try
        {
            var response = await action(ctx.RequestAborted);
            await ctx.Response.WriteAsJsonAsync(response, StoreJson.Default.JoinResponse, cancellationToken: ctx.RequestAborted);
        }
        catch (Exception e) when (e is ClusterException or Runtime.InvalidArgumentException or Grpc.Core.RpcException)
        {
            ctx.Response.StatusCode = e switch { ClusterException c => c.Status, Grpc.Core.RpcException => 503, _ => 400 };
            var message = e is Grpc.Core.RpcException r ? $"the manager cannot reach its store: {r.Status.Detail}" : e.Message;
            await ctx.Response.WriteAsJsonAsync(new JoinError(message), StoreJson.Default.JoinError);
        }
    }

    public async ValueTask DisposeAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
        await app.StopAsync(timeout.Token);
        await app.DisposeAsync();
    }
}
