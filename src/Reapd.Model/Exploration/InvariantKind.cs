namespace Reapd.Model.Exploration;

/// <summary>How the explorer treats a broken invariant.</summary>
public enum InvariantKind
{
    /// <summary>Memory corruption or a wrong count: the step that breaks it ends that execution (the kernel would have crashed).</summary>
    Safety,
    /// <summary>A wrong decision (a spurious kill): recorded, and the execution goes on, because what follows matters too.</summary>
    Decision,
    /// <summary>Something that must eventually happen under weak fairness; checked on the whole reachable graph.</summary>
    Liveness,
}
