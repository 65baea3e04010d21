using GitOps.Runtime;

namespace GitOps.Reconciler.Ports.Local;

/// <summary>Engine exceptions in the port's terms: the reconciler never sees the engine's own types.</summary>
internal sealed partial class LocalEngine
{
    static void Guard(Action a)
    {
        try { a(); }
        catch (EngineException e) { throw Failure(e); }
    }

    static T Guard<T>(Func<T> f)
    {
        try { return f(); }
        catch (EngineException e) { throw Failure(e); }
    }

    static async Task GuardAsync(Func<Task> f)
    {
        try { await f(); }
        catch (EngineException e) { throw Failure(e); }
    }

    /// <summary>A removal of something already gone succeeds: removals are idempotent on the port.</summary>
    static void Gone(Action a)
    {
        try { a(); }
        catch (NotFoundException) { }
        catch (EngineException e) { throw Failure(e); }
    }

    static EngineFailure Failure(EngineException e) => new(e.Message, e) { NotFound = e is NotFoundException };
}
