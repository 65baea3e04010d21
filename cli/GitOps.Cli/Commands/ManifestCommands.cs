using System.Collections;
using System.CommandLine;
using System.Text.Encodings.Web;
using System.Text.Json;
using GitOps.Reconciler.Diagnostics;
using GitOps.Reconciler.Loading;
using GitOps.Reconciler.Rendering;

namespace GitOps.Cli.Commands;

/// <summary>
/// <c>gitops validate</c> and <c>gitops render</c>: load manifests locally (no daemon) exactly as a reconcile
/// would, and print every problem (<c>file:line:col: error: path: message</c>) or the normalised desired state.
/// </summary>
internal static class ManifestCommands
{
    public static Command Validate()
    {
        var cmd = new Command("validate", "Validate Compose, stack and Kubernetes-style manifests (exit 0 valid, 1 invalid)");
        var load = new LoadArguments(cmd);
        var output = new Option<string>("--output", "-o") { Description = "Output format: text or json", DefaultValueFactory = _ => "text" };
        output.AcceptOnlyFromAmong("text", "json");
        cmd.Options.Add(output);
        cmd.SetAction(pr =>
        {
            var result = ManifestLoader.Load(pr.GetValue(load.Paths)!, load.Options(pr));
            if (pr.GetValue(output) == "json")
            {
                Console.Out.Write(ValidationJson(result));
                Console.Out.WriteLine();
            }
            else
            {
                foreach (var d in result.Diagnostics) Console.Out.WriteLine(d.ToString());
                var errors = result.Errors.Count();
                var warnings = result.Warnings.Count();
                if (result.Application is { } app)
                    Console.Error.WriteLine($"valid: application {app.Name}: {Count(app.Services.Count, "service")}, {Count(app.Routes.Count, "route")}, {Count(app.Volumes.Count, "volume")}, {Count(app.Secrets.Count, "secret")}, {Count(app.Configs.Count, "config")}, {Count(app.Unsupported.Count, "unsupported object")}; {Count(warnings, "warning")}");
                else
                    Console.Error.WriteLine($"invalid: {Count(errors, "error")}, {Count(warnings, "warning")}");
            }
            return result.Succeeded ? 0 : 1;
        });
        return cmd;
    }

    public static Command Render()
    {
        var cmd = new Command("render", "Print the normalised desired state of manifests (secrets masked)");
        var load = new LoadArguments(cmd);
        var output = new Option<string>("--output", "-o") { Description = "Output format: yaml or json", DefaultValueFactory = _ => "yaml" };
        output.AcceptOnlyFromAmong("yaml", "json");
        cmd.Options.Add(output);
        cmd.SetAction(pr =>
        {
            var result = ManifestLoader.Load(pr.GetValue(load.Paths)!, load.Options(pr));
            foreach (var d in result.Diagnostics) Console.Error.WriteLine(d.ToString());
            if (result.Application is not { } app) return 1;
            var tree = DesiredStateWriter.Write(app);
            Console.Out.Write(pr.GetValue(output) == "json" ? JsonOutput.Write(tree) + "\n" : YamlOutput.Write(tree));
            return 0;
        });
        return cmd;
    }

    private static string Count(int n, string noun) => $"{n} {noun}{(n == 1 ? "" : "s")}";

    private static string ValidationJson(LoadResult result)
    {
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            w.WriteStartObject();
            w.WriteBoolean("valid", result.Succeeded);
            if (result.Application is { } app) w.WriteString("application", app.Name);
            w.WriteNumber("errors", result.Errors.Count());
            w.WriteNumber("warnings", result.Warnings.Count());
            w.WriteStartArray("diagnostics");
            foreach (var d in result.Diagnostics)
            {
                w.WriteStartObject();
                w.WriteString("severity", d.Severity == Severity.Error ? "error" : "warning");
                w.WriteString("file", d.File);
                w.WriteNumber("line", d.Line);
                w.WriteNumber("column", d.Column);
                w.WriteString("path", d.Path);
                w.WriteString("message", d.Message);
                w.WriteString("code", d.Code);
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteEndObject();
        }
        return System.Text.Encoding.UTF8.GetString(stream.ToArray());
    }

    /// <summary>The options both verbs share: what to load and how.</summary>
    private sealed class LoadArguments
    {
        public readonly Argument<string[]> Paths = new("path") { Arity = ArgumentArity.OneOrMore, Description = "Manifest files or directories (Compose files given together are merged in order, like -f a -f b)" };
        private readonly Option<string> _format = new("--format") { Description = "auto, compose, stack or kubernetes", DefaultValueFactory = _ => "auto" };
        private readonly Option<string?> _name = new("--project-name", "-p") { Description = "Application (Compose project) name" };
        private readonly Option<string[]> _profiles = new("--profile") { Description = "Enable a Compose profile (repeatable)" };
        private readonly Option<string[]> _envFiles = new("--env-file") { Description = "Read variables from this file instead of the project's .env (repeatable)" };
        private readonly Option<bool> _recursive = new("--recursive", "-R") { Description = "Also load manifests in subdirectories" };
        private readonly Option<bool> _strict = new("--strict") { Description = "Treat what gitops cannot run (unknown kinds, unsupported fields) as errors" };
        private readonly Option<string[]> _skipKinds = new("--skip-kind") { Description = "Ignore Kubernetes objects of this kind (repeatable)" };

        public LoadArguments(Command cmd)
        {
            _format.AcceptOnlyFromAmong("auto", "compose", "stack", "kubernetes");
            cmd.Arguments.Add(Paths);
            foreach (var o in new Option[] { _format, _name, _profiles, _envFiles, _recursive, _strict, _skipKinds }) cmd.Options.Add(o);
        }

        public LoadOptions Options(ParseResult pr)
        {
            var env = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (DictionaryEntry e in Environment.GetEnvironmentVariables())
                if (e.Key is string k && e.Value is string v) env[k] = v;
            return new LoadOptions
            {
                Environment = env,
                Format = pr.GetValue(_format) switch
                {
                    "compose" => ManifestFormat.Compose,
                    "stack" => ManifestFormat.Stack,
                    "kubernetes" => ManifestFormat.Kubernetes,
                    _ => ManifestFormat.Auto,
                },
                Name = pr.GetValue(_name),
                Profiles = pr.GetValue(_profiles) ?? [],
                EnvFiles = pr.GetValue(_envFiles) ?? [],
                Recursive = pr.GetValue(_recursive),
                Strict = pr.GetValue(_strict),
                SkipKinds = new HashSet<string>(pr.GetValue(_skipKinds) ?? [], StringComparer.Ordinal),
            };
        }
    }
}
