namespace Reapd.Linux.Spawn;

/// <summary>How a spawned child ended: its exit code, or the signal that killed it (<see cref="Code"/> holds it).</summary>
public readonly record struct ChildExit(ChildExitKind Kind, int Code)
{
    public override string ToString() => Kind switch
    {
        ChildExitKind.Exited => $"exit {Code}",
        ChildExitKind.Killed => $"signal {Code}",
        _ => "unknown (reaped elsewhere)",
    };
}

public enum ChildExitKind : byte
{
    Exited,
    Killed,
    /// <summary>waitid found no child to reap (ECHILD): something else reaped it; its status is lost.</summary>
    Unknown,
}
