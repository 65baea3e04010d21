using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using GitOps.Runtime.Containers;
using GitOps.Runtime.Images.Registry;
using GitOps.Runtime.Init;
using GitOps.Runtime.State;

namespace GitOps.Runtime.Images.Build;

/// <summary>RUN: a real container of this engine whose writable layer becomes the step's layer.</summary>
public sealed partial class ImageBuilder
{
    async Task RunAsync(Instruction ins, State state, BuildRequest request, HashSet<string> usedArgs, Action<ProgressMessage> progress, CancellationToken ct)
    {
        var rc = state.Config.Config;
        if (ins.Args.Length == 0) throw new StepFailure("RUN requires a command");
        IReadOnlyList<string> command = ConfigChanges.TryJsonArray(ins.Args, out var exec) ? exec : [.. rc.Shell ?? ["/bin/sh", "-c"], ins.Args];
        if (command.Count == 0) throw new StepFailure("RUN requires a command");
        var envNames = (rc.Env ?? []).Select(e => e.Split('=', 2)[0]).ToHashSet(StringComparer.Ordinal);
        // ARGs reach RUN as environment variables (not kept in the image); they are part of the step's identity.
        var argEnv = state.Args.Where(a => a.Value is not null && !envNames.Contains(a.Key)).OrderBy(a => a.Key, StringComparer.Ordinal)
            .Select(a => $"{a.Key}={a.Value}").ToList();
        foreach (var a in state.Args.Keys) if (request.BuildArgs.ContainsKey(a)) usedArgs.Add(a);
        var createdBy = (argEnv.Count > 0 ? $"|{argEnv.Count} {string.Join(' ', argEnv)} " : "") + string.Join(' ', command);
        var key = Hash(state.Key + "\nRUN " + JsonSerializer.Serialize(command.ToList(), RuntimeJson.Default.ListString) + "\n" + string.Join('\n', argEnv) + "\n" + CurrentConfigKey(state));
        if (TryCache(state, key, progress)) return;

        var baseId = EnsureImage(state);
        var container = containers.Create(new CreateRequest
        {
            Image = baseId,
            Cmd = command,
            Entrypoint = [""],
            Env = [.. rc.Env ?? [], .. argEnv],
            WorkingDir = rc.WorkingDir,
            User = rc.User,
            Labels = new Dictionary<string, string> { ["gitops.build"] = "true" },
            HostConfig = new HostConfig { NetworkMode = request.Network },
            // A RUN step is not a service: the base image's HEALTHCHECK must not probe it. The image
            // being built takes its HEALTHCHECK from the build state, not from this container.
            Healthcheck = new HealthConfig(["NONE"]),
        });
        progress(ProgressMessage.Text($" ---> Running in {container.Id[..12]}\n"));
        try
        {
            using var output = containers.OutputOf(container.Id).Attach();
            await containers.StartAsync(container.Id, ct).ConfigureAwait(false);
            var decoder = Encoding.UTF8.GetDecoder();
            await foreach (var (_, data) in output.Reader.ReadAllAsync(ct).ConfigureAwait(false))
            {
                var chars = new char[decoder.GetCharCount(data, false)];
                decoder.GetChars(data, chars, false);
                if (chars.Length > 0) progress(ProgressMessage.Text(new string(chars)));
            }
            var exit = await containers.WaitAsync(container.Id, "not-running", ct).ConfigureAwait(false);
            if (exit != 0) throw new StepFailure($"The command '{string.Join(' ', command)}' returned a non-zero code: {exit}");
            var (layer, diffId) = await containers.PackWritableLayerAsync(container.Id, ct).ConfigureAwait(false);
            AddLayer(state, layer, diffId, createdBy, key);
        }
        finally
        {
            try { await containers.RemoveAsync(container.Id, force: true, CancellationToken.None).ConfigureAwait(false); }
            catch (NotFoundException) { }
        }
        progress(ProgressMessage.Text($" ---> {state.ImageId![7..19]}\n"));
    }

}
