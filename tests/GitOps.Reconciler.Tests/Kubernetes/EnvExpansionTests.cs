using GitOps.Reconciler.Kubernetes;
using GitOps.Runtime.Containers;

namespace GitOps.Reconciler.Tests.Kubernetes;

/// <summary>
/// $(VAR) expansion as the kubelet does it (third_party/forked/golang/expansion) and a container's environment
/// compiled from a manifest: what is known is expanded now, what only the engine knows is handed over in order.
/// </summary>
public sealed class EnvExpansionTests
{
    private static readonly Dictionary<string, string> Vars = new()
    {
        ["A"] = "a", ["B"] = "b", ["EMPTY"] = "", ["REF"] = "$(A)",
    };

    [Theory]
    [InlineData("$(A)", "a")]
    [InlineData("$(A)-$(A)", "a-a")]
    [InlineData("x_$(B)_y", "x_b_y")]
    [InlineData("$(A)$(B)", "ab")]
    [InlineData("$$(B)_$(A)", "$(B)_a")]
    [InlineData("cost-$$A", "cost-$A")]
    [InlineData(@"c:\$(A)", @"c:\a")]
    [InlineData("$(A$(B))", "$(A$(B))")]
    [InlineData("$(A$(B)", "$(A$(B)")]
    [InlineData("$(REF)", "$(A)")]
    [InlineData("<$(EMPTY)>", "<>")]
    [InlineData("open $(A", "open $(A")]
    [InlineData("$?x$!", "$?x$!")]
    [InlineData("$A", "$A")]
    [InlineData("${A}", "${A}")]
    [InlineData("$(NOPE)", "$(NOPE)")]
    [InlineData("$$$$(NOPE)", "$$(NOPE)")]
    [InlineData("$$$(A)", "$a")]
    [InlineData("$$$$$(A)", "$$a")]
    [InlineData("$(B)...$(", "b...$(")]
    [InlineData("end$", "end$")]
    [InlineData("$($($(", "$($($(")]
    [InlineData("$(x$$y)", "$(x$$y)")]
    [InlineData("$()", "$()")]
    [InlineData("", "")]
    public void ExpandsAsTheKubelet(string input, string expected)
    {
        Assert.Equal(expected, KubeExpansion.Expand(input, n => Vars.GetValueOrDefault(n)));
    }

    private static EnvExpansion.Result Compile(string containerYaml, string pod = "web-0", string ns = "shop")
    {
        var containers = string.Join("\n", containerYaml.Split('\n').Select(l => "    " + l));
        var result = Load.Yaml("pod.yaml", "apiVersion: v1\nkind: Pod\n" +
            $"metadata: {{name: web, namespace: {ns}, labels: {{app: web, tier: front}}, annotations: {{team: blue}}}}\n" +
            "spec:\n  serviceAccountName: robot\n  containers:\n" + containers + "\n");
        Load.AssertValid(result, "pod");
        var template = result.Application!.Services.Values.Single().Template;
        return EnvExpansion.Compile(template.Containers[0], new EnvExpansion.Pod(pod, ns, template));
    }

    [Fact]
    public void ValuesReferToEarlierVariablesOnlyAndUnknownOnesStay()
    {
        var r = Compile("""
            - name: c
              image: busybox
              env:
                - {name: EARLY, value: "$(PROTOCOL)://$(HOST)"}
                - {name: PROTOCOL, value: https}
                - {name: HOST, value: "10.0.0.1"}
                - {name: ADDRESS, value: "$(PROTOCOL)://$(HOST):$(PORT)"}
                - {name: ESCAPED, value: "$$(PROTOCOL)"}
            """);
        Assert.Null(r.KubeEnv);
        Assert.Equal(["EARLY=$(PROTOCOL)://$(HOST)", "PROTOCOL=https", "HOST=10.0.0.1", "ADDRESS=https://10.0.0.1:$(PORT)", "ESCAPED=$(PROTOCOL)"], r.Env);
    }

    [Fact]
    public void CommandAndArgsSeeTheWholeEnvironmentAndTheLastDefinitionWins()
    {
        var r = Compile("""
            - name: c
              image: busybox
              command: ["sh", "-c", "echo $(GREETING) $$(HOME) $(MISSING)"]
              args: ["$(NAME)"]
              env:
                - {name: GREETING, value: hi}
                - {name: NAME, value: first}
                - {name: NAME, value: "$(NAME)-second"}
            """);
        Assert.Null(r.KubeEnv);
        Assert.Equal(["sh", "-c", "echo hi $(HOME) $(MISSING)"], r.Entrypoint);
        Assert.Equal(["first-second"], r.Cmd);
        Assert.Equal(["GREETING=hi", "NAME=first-second"], r.Env);
    }

    [Fact]
    public void ThePodsOwnFieldsAreFilledInAndDeclaredResourcesComputed()
    {
        var r = Compile("""
            - name: c
              image: busybox
              resources: {limits: {cpu: 1500m, memory: 96Mi}, requests: {cpu: 250m}}
              env:
                - {name: POD, valueFrom: {fieldRef: {fieldPath: metadata.name}}}
                - {name: NS, valueFrom: {fieldRef: {fieldPath: metadata.namespace, apiVersion: v1}}}
                - {name: APP, valueFrom: {fieldRef: {fieldPath: "metadata.labels['app']"}}}
                - {name: NONE, valueFrom: {fieldRef: {fieldPath: "metadata.labels['nope']"}}}
                - {name: TEAM, valueFrom: {fieldRef: {fieldPath: "metadata.annotations['team']"}}}
                - {name: SA, valueFrom: {fieldRef: {fieldPath: spec.serviceAccountName}}}
                - {name: CPU, valueFrom: {resourceFieldRef: {resource: limits.cpu}}}
                - {name: CPU_M, valueFrom: {resourceFieldRef: {resource: requests.cpu, divisor: 1m}}}
                - {name: MEM_MI, valueFrom: {resourceFieldRef: {resource: limits.memory, divisor: 1Mi}}}
                - {name: MEM_REQ, valueFrom: {resourceFieldRef: {resource: requests.memory, containerName: c}}}
                - {name: URL, value: "http://$(POD).$(NS):80/$(APP)"}
            """);
        Assert.Null(r.KubeEnv);
        Assert.Equal(["POD=web-0", "NS=shop", "APP=web", "NONE=", "TEAM=blue", "SA=robot", "CPU=2", "CPU_M=250", "MEM_MI=96",
            "MEM_REQ=100663296", "URL=http://web-0.shop:80/web"], r.Env);
    }

    [Fact]
    public void WhatOnlyTheNodeKnowsGoesToTheEngineInOrderWithTheTemplatesThatUseIt()
    {
        var r = Compile("""
            - name: c
              image: busybox
              args: ["--listen=$(POD_IP):8080", "--plain"]
              env:
                - {name: STATIC, value: s}
                - {name: POD_IP, valueFrom: {fieldRef: {fieldPath: status.podIP}}}
                - {name: PASSWORD, valueFrom: {secretKeyRef: {name: db, key: password}}}
                - {name: DSN, value: "postgres://app:$(PASSWORD)@db/$(STATIC)"}
                - {name: NODE, valueFrom: {fieldRef: {fieldPath: spec.nodeName}}}
                - {name: UID, valueFrom: {fieldRef: {fieldPath: metadata.uid}}}
                - {name: CPUS, valueFrom: {resourceFieldRef: {resource: limits.cpu, divisor: 1m}}}
            """);
        Assert.NotNull(r.KubeEnv);
        Assert.Equal(["STATIC=s"], r.Env); // what inspect shows: no secret, nothing that depends on one
        Assert.Equal(["--listen=$(POD_IP):8080", "--plain"], r.Cmd);
        Assert.True(r.KubeEnv!.ExpandCmd);
        Assert.False(r.KubeEnv.ExpandEntrypoint);
        var vars = r.KubeEnv.Vars.Select(v => (v.Name, v.Source, v.Value, v.Index, v.Divisor)).ToList();
        Assert.Equal([
            ("STATIC", KubeEnvSource.Literal, "s", 0, 1L),
            ("POD_IP", KubeEnvSource.Field, "status.podIP", 0, 1L),
            ("PASSWORD", KubeEnvSource.Secret, null, 0, 1L),
            ("DSN", KubeEnvSource.Value, "postgres://app:$(PASSWORD)@db/$(STATIC)", 0, 1L),
            ("NODE", KubeEnvSource.Field, "spec.nodeName", 0, 1L),
            ("UID", KubeEnvSource.Field, "metadata.uid", 0, 1L),
            ("CPUS", KubeEnvSource.Field, "node.allocatable.cpu", 0, 1L),
        ], vars);
    }

    [Fact]
    public void AnyNameMayComeFromEnvFromSoReferencesWaitForTheEngine()
    {
        var r = Compile("""
            - name: c
              image: busybox
              envFrom: [{configMapRef: {name: settings}}]
              env:
                - {name: LOCAL, value: x}
                - {name: MAYBE, value: "$(FROM_MAP)-$(LOCAL)"}
                - {name: SURE, value: "$(LOCAL)"}
            """);
        Assert.NotNull(r.KubeEnv);
        Assert.Equal(["LOCAL=x", "SURE=x"], r.Env);
        Assert.Equal(KubeEnvSource.Value, r.KubeEnv!.Vars.Single(v => v.Name == "MAYBE").Source);
    }
}
