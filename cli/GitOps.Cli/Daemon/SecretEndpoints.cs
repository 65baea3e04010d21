using GitOps.Cli.Api;
using GitOps.Runtime;
using GitOps.Runtime.Secrets;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace GitOps.Cli.Daemon;

/// <summary>
/// Docker's /secrets and /configs APIs. A secret's value goes in and never comes out: inspect and
/// list show metadata only. A config's content is shown, as Docker does.
/// </summary>
internal static class SecretEndpoints
{
    public static void Map(WebApplication app, Engine engine)
    {
        foreach (var kind in new[] { SecretKind.Secret, SecretKind.Config })
        {
            var prefix = kind == SecretKind.Secret ? "/secrets" : "/configs";
            var store = engine.Secrets;

            app.MapPost(prefix + "/create", async ctx =>
            {
                var req = await ctx.ReadJsonAsync(RequestJson.Default.SecretCreateRequest);
                var record = store.Create(kind, Spec(req));
                await ctx.JsonAsync(new IdResponse(record.Id), ApiJson.Default.IdResponse, 201);
            });

            app.MapGet(prefix, ctx =>
            {
                var filters = Filters.Parse(ctx.Query("filters"));
                var list = store.List(kind).Where(r => Match(r, filters)).Select(r => Show(store, r)).ToList();
                return ctx.JsonAsync(list, ApiJson.Default.ListSecretInspect);
            });

            app.MapGet(prefix + "/{id}", ctx => ctx.JsonAsync(Show(store, store.Get(kind, ctx.Route("id"))), ApiJson.Default.SecretInspect));

            app.MapDelete(prefix + "/{id}", ctx =>
            {
                store.Remove(kind, ctx.Route("id"));
                return ctx.NoContent();
            });

            // Docker's update takes the object's version for optimistic concurrency; here the value may change too (rotation by version).
            app.MapPost(prefix + "/{id}/update", async ctx =>
            {
                var req = await ctx.ReadJsonAsync(RequestJson.Default.SecretCreateRequest);
                long? version = ctx.Query("version") is { } v
                    ? long.TryParse(v, out var n) ? n : throw new InvalidArgumentException($"invalid version: {v}")
                    : null;
                var record = store.Update(kind, ctx.Route("id"), Spec(req), version);
                await ctx.JsonAsync(new IdResponse(record.Id), ApiJson.Default.IdResponse);
            });
        }
    }

    static SecretSpec Spec(SecretCreateRequest req) => new()
    {
        Name = req.Name,
        Labels = req.Labels ?? [],
        Data = req.Data,
        Items = req.Items,
    };

    static SecretInspect Show(SecretStore store, SecretRecord r)
    {
        byte[]? data = null;
        Dictionary<string, byte[]>? items = null;
        if (r.Kind == SecretKind.Config)
        {
            // Configs are not secret: their content is part of inspect (Docker shows Spec.Data).
            var content = store.Reveal(r);
            (data, items) = (content.Value, content.Items?.ToDictionary(kv => kv.Key, kv => kv.Value));
        }
        return new SecretInspect(r.Id, new SecretVersion(r.Version), r.CreatedAt.UtcDateTime, r.UpdatedAt.UtcDateTime,
            new SecretSpecInspect(r.Name, r.Labels, r.Keys, data, items));
    }

    static bool Match(SecretRecord r, Dictionary<string, List<string>> filters)
    {
        foreach (var (key, values) in filters)
        {
            var ok = key switch
            {
                "name" => values.Any(x => r.Name.Contains(x, StringComparison.Ordinal)),
                "id" => values.Any(x => r.Id.StartsWith(x, StringComparison.Ordinal)),
                "label" => values.All(x => Filters.MatchLabel(r.Labels, x)),
                _ => throw new InvalidArgumentException($"invalid filter '{key}'"),
            };
            if (!ok) return false;
        }
        return true;
    }
}
