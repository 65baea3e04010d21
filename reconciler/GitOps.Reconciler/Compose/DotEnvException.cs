namespace GitOps.Reconciler.Compose;

/// <summary>A malformed line of a .env or env_file file; <see cref="Line"/> is 1-based.</summary>
internal sealed class DotEnvException(int line, string message) : Exception(message)
{
    public int Line { get; } = line;
}
