using System.Globalization;
using GitOps.Reconciler.Reconcile;

namespace GitOps.Reconciler.Ports;

internal sealed record NetworkSpec(string Name, string? Subnet, string? Gateway, bool Internal, IReadOnlyDictionary<string, string> Labels);

internal sealed record VolumeSpec(string Name, string? Driver, IReadOnlyDictionary<string, string> Labels, IReadOnlyDictionary<string, string>? Options = null);

/// <summary>A secret's or config's content and labels; printed without its value.</summary>
internal sealed record ObjectSpec(string Name, bool IsConfig, IReadOnlyDictionary<string, string> Labels, SecretPayload Payload);

internal sealed record RouterSpec(string Name, string Network, int Port, string Protocol, int? HostPort, IReadOnlyList<RouterBackend> Backends, IReadOnlyDictionary<string, string> Labels);

/// <summary>An image built from a context directory of the revision's tree.</summary>
internal sealed record ImageBuildSpec(string Context, string Dockerfile, string? Target, string Tag, IReadOnlyDictionary<string, string> Args, IReadOnlyDictionary<string, string> Labels);

/// <summary>
/// One container of replica <see cref="Ordinal"/> of a service, as the reconciler wants it: the model's container
/// in its application. <see cref="Role"/> is null for the replica's first container (it owns the network
/// namespace), else <see cref="ManagedLabels.AppContainer"/>, <see cref="ManagedLabels.InitContainer"/> or
/// <see cref="ManagedLabels.SidecarContainer"/>. The engine translates it into its own request.
/// </summary>
internal sealed record ContainerSpec(DesiredApp App, DesiredService Service, int Ordinal, Model.Container Container, string? Role)
{
    public string Name => Role is null ? Service.ReplicaName(App.Project, Ordinal) : $"{Service.ReplicaName(App.Project, Ordinal)}-{Container.Name}";

    /// <summary>
    /// The labels actual state is read back from (<see cref="ActualApp.Read"/>): every engine puts exactly these on
    /// the container, so they are the reconciler's to decide, not the engine's.
    /// </summary>
    public Dictionary<string, string> Labels()
    {
        var ordinal = Ordinal.ToString(CultureInfo.InvariantCulture);
        var labels = new Dictionary<string, string>(Service.Spec.Template.Labels, StringComparer.Ordinal)
        {
            [ManagedLabels.App] = App.App,
            [ManagedLabels.Service] = Service.Spec.Name,
            [ManagedLabels.Revision] = App.Revision,
            [ManagedLabels.SpecHash] = Service.Hash,
            [ManagedLabels.Replica] = ordinal,
            [ManagedLabels.ComposeProject] = App.Project,
            [ManagedLabels.ComposeService] = Service.Spec.Name,
            [ManagedLabels.ComposeNumber] = ordinal,
        };
        if (Role is not null) labels[ManagedLabels.Part] = Container.Name;
        if (Role is not null && Role != ManagedLabels.AppContainer) labels[ManagedLabels.Role] = Role;
        return labels;
    }
}
