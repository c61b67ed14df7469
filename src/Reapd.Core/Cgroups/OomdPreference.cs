namespace Reapd.Core.Cgroups;

/// <summary>
/// systemd's per-unit ManagedOOMPreference=, which systemd writes on the unit's cgroup as the extended attributes
/// user.oomd_avoid and user.oomd_omit (src/core/cgroup.c). systemd-oomd honours them only on a cgroup owned by root,
/// since any owner of a delegated cgroup can write user.* attributes on it; reapd trusts them the same way.
/// </summary>
public enum OomdPreference : byte
{
    None,

    /// <summary>user.oomd_avoid=1: chosen only when no other unit can be.</summary>
    Avoid,

    /// <summary>user.oomd_omit=1: never chosen, and never killed by a wider kill scope either.</summary>
    Omit,
}
