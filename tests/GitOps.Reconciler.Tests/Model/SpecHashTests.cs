using GitOps.Reconciler.Hashing;
using GitOps.Reconciler.Loading;
using GitOps.Reconciler.Model;

namespace GitOps.Reconciler.Tests.Model;

/// <summary>A service's hash changes exactly when what it asks for changes, not when how it is written does.</summary>
public sealed class SpecHashTests
{
    private static Service Web(string compose, string name = "web")
    {
        var result = Load.Yaml("compose.yaml", compose);
        Load.AssertValid(result, compose);
        return result.Application!.Services[name];
    }

    [Fact]
    public void KeyOrderQuotingAndShortOrLongSyntaxDoNotMatter()
    {
        var a = Web("""
            services:
              web:
                image: web:1
                ports: ["8080:80"]
                environment: [A=1, B=2]
                volumes: ["data:/data:ro"]
                restart: "no"
            volumes: {data: {}}
            """);
        var b = Web("""
            volumes:
              data:
            services:
              web:
                volumes:
                  - type: volume
                    source: data
                    target: /data
                    read_only: true
                environment:
                  B: "2"
                  A: 1
                ports:
                  - target: 80
                    published: "8080"
                    protocol: tcp
                    mode: host
                image: "web:1"
            """);
        Assert.Equal(a, b);
        Assert.Equal(SpecHash.Of(a), SpecHash.Of(b));
    }

    [Fact]
    public void ExplicitDefaultsHashLikeOmittedOnes()
    {
        var implicitDefaults = Web("services:\n  web:\n    image: web:1\n");
        var explicitDefaults = Web("""
            services:
              web:
                image: web:1
                stop_signal: SIGTERM
                stop_grace_period: 10s
                restart: "no"
                init: false
                deploy:
                  mode: replicated
                  replicas: 1
                  endpoint_mode: vip
                networks: [default]
            """);
        Assert.Equal(SpecHash.Of(implicitDefaults), SpecHash.Of(explicitDefaults));
    }

    [Fact]
    public void ScalingChangesTheSpecButNotTheTemplate()
    {
        var one = Web("services:\n  web:\n    image: web:1\n");
        var three = Web("services:\n  web:\n    image: web:1\n    deploy: {replicas: 3}\n");
        Assert.NotEqual(SpecHash.Of(one), SpecHash.Of(three));
        Assert.Equal(SpecHash.OfTemplate(one), SpecHash.OfTemplate(three));
    }

    [Fact]
    public void ANewImageChangesBoth()
    {
        var v1 = Web("services:\n  web:\n    image: web:1\n");
        var v2 = Web("services:\n  web:\n    image: web:2\n");
        Assert.NotEqual(SpecHash.Of(v1), SpecHash.Of(v2));
        Assert.NotEqual(SpecHash.OfTemplate(v1), SpecHash.OfTemplate(v2));
        Assert.Matches("^sha256:[0-9a-f]{64}$", SpecHash.Of(v1));
    }

    [Fact]
    public void KubernetesRequestsDefaultToLimitsSoBothSpellingsHashAlike()
    {
        const string Pod = """
            apiVersion: v1
            kind: Pod
            metadata: {name: web}
            spec:
              containers:
                - name: web
                  image: web:1
                  resources: RESOURCES
            """;
        var limitsOnly = Load.Yaml("p.yaml", Pod.Replace("RESOURCES", "{limits: {cpu: 500m, memory: 128Mi}}", StringComparison.Ordinal)).Application!.Services["web"];
        var both = Load.Yaml("p.yaml", Pod.Replace("RESOURCES", "{limits: {cpu: \"0.5\", memory: 134217728}, requests: {cpu: 500m, memory: 128Mi}}", StringComparison.Ordinal)).Application!.Services["web"];
        Assert.Equal(SpecHash.Of(limitsOnly), SpecHash.Of(both));
        Assert.Equal(500_000_000, both.Template.Containers[0].Resources.CpuReservation);
    }

    [Fact]
    public void RoutesChangeWithoutTouchingTheServicesTheySelect()
    {
        static string App(string color) => $$$"""
            apiVersion: apps/v1
            kind: Deployment
            metadata: {name: web-blue}
            spec:
              selector: {matchLabels: {app: web, color: blue}}
              template:
                metadata: {labels: {app: web, color: blue}}
                spec: {containers: [{name: web, image: "web:1"}]}
            ---
            apiVersion: apps/v1
            kind: Deployment
            metadata: {name: web-green}
            spec:
              selector: {matchLabels: {app: web, color: green}}
              template:
                metadata: {labels: {app: web, color: green}}
                spec: {containers: [{name: web, image: "web:2"}]}
            ---
            apiVersion: v1
            kind: Service
            metadata: {name: web}
            spec:
              selector: {app: web, color: {{{color}}}}
              ports: [{port: 80}]
            """;
        var blue = Load.Yaml("app.yaml", App("blue")).Application!;
        var green = Load.Yaml("app.yaml", App("green")).Application!;
        Assert.Equal(["web-blue"], blue.Routes["web"].Backends);
        Assert.Equal(["web-green"], green.Routes["web"].Backends);
        Assert.Equal(blue.Services, green.Services); // the blue/green flip touches only the route
    }
}
