namespace Reapd.Linux.Kill;

/// <summary>How a wider kill scope (process group, subtree, cgroup) ended. None of these is an exception.</summary>
public enum ScopeKillOutcome
{
    /// <summary>Every member found was SIGKILLed through its pidfd.</summary>
    Killed,

    /// <summary>The victim alone: the scope reached a process that may never be killed; nothing else was signalled.</summary>
    Refused,

    /// <summary>The scope held no process but the victim (and its sharers).</summary>
    NoOtherMembers,

    /// <summary>The victim's group, tree or cgroup could not be read (it exited, the cgroup was removed).</summary>
    Unreadable,
}
