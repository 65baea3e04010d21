namespace GitOps.Runtime.Containers;

/// <summary>
/// Told when a container's main process begins to run (started, restarted, unpaused, or re-adopted at
/// daemon start) and when it stops running (exited, paused). Called on the engine's threads after the
/// state is recorded: an observer returns quickly and must not throw.
/// </summary>
public interface IContainerRunObserver
{
    void Running(Container c);
    void NotRunning(Container c);
}
