using GitOps.Reconciler.Model;

namespace GitOps.Reconciler.Tests.Compose;

/// <summary>The Compose spec's merge rules for <c>-f a -f b</c> and extends.</summary>
public sealed class MergeTests
{
    private static Application Merge(string first, string second)
    {
        var result = Load.Text(new Dictionary<string, string> { ["compose.yaml"] = first, ["compose.override.yaml"] = second });
        Load.AssertValid(result, "merged project");
        return result.Application!;
    }

    [Fact]
    public void MappingsMergeAndScalarsOverride()
    {
        var app = Merge("services:\n  web:\n    image: web:1\n    user: app\n", "services:\n  web:\n    image: web:2\n    working_dir: /srv\n");
        var c = app.Services["web"].Template.Containers[0];
        Assert.Equal(("web:2", "app", "/srv"), (c.Image, c.User, c.WorkingDir));
    }

    [Fact]
    public void EnvironmentMergesByNameWhateverEachFileUses()
    {
        var app = Merge("services:\n  web:\n    image: w\n    environment: [A=1, B=2]\n", "services:\n  web:\n    environment:\n      B: three\n      C: 4\n");
        Assert.Equal(["A=1", "B=three", "C=4"], app.Services["web"].Template.Containers[0].Env.Select(e => e.Name + "=" + e.Value));
    }

    [Fact]
    public void CommandIsReplacedNotAppended()
    {
        var app = Merge("services:\n  web:\n    image: w\n    command: [echo, foo]\n", "services:\n  web:\n    command: [echo, bar]\n");
        Assert.Equal(["echo", "bar"], app.Services["web"].Template.Containers[0].Command!.Value);
    }

    [Fact]
    public void VolumesMergeByTargetAndPortsAppend()
    {
        var app = Merge(
            "services:\n  web:\n    image: w\n    volumes: [\"foo:/work\"]\n    ports: [\"8080:80\"]\nvolumes: {foo: {}, bar: {}}\n",
            "services:\n  web:\n    volumes: [\"bar:/work\"]\n    ports: [\"8443:443\", \"8080:80\"]\n");
        var web = app.Services["web"];
        Assert.Equal("bar", web.Template.Containers[0].Mounts.Single().Source);
        Assert.Equal([(80, 8080), (443, 8443)], web.Ports.Select(p => (p.Target, p.Published!.Value)));
    }

    [Fact]
    public void ResetRemovesAndOverrideReplaces()
    {
        var app = Merge(
            "services:\n  app:\n    image: myapp\n    ports: [\"8080:80\"]\n    environment:\n      FOO: BAR\n      KEEP: yes\n",
            "services:\n  app:\n    ports: !override\n      - \"8443:443\"\n    environment:\n      FOO: !reset null\n");
        var svc = app.Services["app"];
        Assert.Equal([(443, 8443)], svc.Ports.Select(p => (p.Target, p.Published!.Value)));
        Assert.Equal(["KEEP=yes"], svc.Template.Containers[0].Env.Select(e => e.Name + "=" + e.Value));

        var reset = Merge("services:\n  app:\n    image: myapp\n    ports: [\"8080:80\"]\n", "services:\n  app:\n    ports: !reset []\n");
        Assert.Empty(reset.Services["app"].Ports);
    }

    [Fact]
    public void DependsOnShortAndLongFormsMerge()
    {
        var app = Merge(
            "services:\n  web:\n    image: w\n    depends_on: [db]\n  db:\n    image: d\n    healthcheck: {test: [CMD, \"true\"]}\n",
            "services:\n  web:\n    depends_on:\n      db:\n        condition: service_healthy\n        restart: true\n");
        Assert.Equal(new Dependency("db", DependencyCondition.Healthy, true, true), app.Services["web"].DependsOn.Single());
    }

    [Fact]
    public void ExtendsInTheSameFileWithResetAndMerge()
    {
        var result = Load.Yaml("compose.yaml", """
            x-defaults: &defaults
              restart: always
              logging: {driver: json-file, options: {max-size: 10m}}
            services:
              base:
                <<: *defaults
                image: base:1
                command: sleep infinity
                environment: {A: "1"}
              child:
                extends: base
                command: !reset null
                environment: {B: "2"}
            """);
        Load.AssertValid(result, "extends");
        var child = result.Application!.Services["child"];
        var c = child.Template.Containers[0];
        Assert.Null(c.Command);
        Assert.Equal(["A=1", "B=2"], c.Env.Select(e => e.Name + "=" + e.Value));
        Assert.Equal(RestartCondition.Always, child.Template.Restart.Condition);
        Assert.Equal("10m", c.Logging!.Options["max-size"]);
    }
}
