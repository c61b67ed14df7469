namespace Reapd.Core.Policy;

/// <summary>
/// What dies with the chosen victim. Its mm sharers always die with it (their memory is the victim's); a wider scope
/// adds whole process groups, subtrees or cgroups. A cgroup with memory.oom.group set is killed whole whatever this says.
/// </summary>
public enum KillScope : byte
{
    /// <summary>The victim and its mm sharers (the default, as the kernel's OOM killer).</summary>
    Process,

    /// <summary>Every process in the victim's process group.</summary>
    ProcessGroup,

    /// <summary>The victim and all its descendants.</summary>
    Subtree,

    /// <summary>Every process in the victim's cgroup, each through its pidfd (on cgroup v2 with the unit frozen meanwhile).</summary>
    Cgroup,
}
