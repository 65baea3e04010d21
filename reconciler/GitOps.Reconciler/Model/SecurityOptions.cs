namespace GitOps.Reconciler.Model;

/// <summary>Privileges of a container; capabilities are upper-case without the CAP_ prefix and sorted.</summary>
internal sealed record SecurityOptions(bool Privileged, bool ReadOnlyRootFilesystem, ValueList<string> CapAdd, ValueList<string> CapDrop, ValueList<string> SecurityOpt)
{
    public static readonly SecurityOptions Default = new(false, false, default, default, default);
}
