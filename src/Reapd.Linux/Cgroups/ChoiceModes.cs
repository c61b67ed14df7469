using Reapd.Core.Policy;

namespace Reapd.Linux.Cgroups;

/// <summary>
/// What "auto" means for the cgroup-first choice and the Kubernetes ranking on this machine (docs/cgroups.md).
/// </summary>
public static class ChoiceModes
{
    /// <summary>
    /// Cgroup-first: on when the cgroup2 hierarchy at <paramref name="v2Mount"/> offers the memory controller (its root's
    /// cgroup.controllers lists "memory") and PID 1 is systemd (/proc/1/comm), i.e. the units are systemd's; off on a
    /// cgroup v1 memory hierarchy, where memory.min/low and memory.pressure do not exist.
    /// </summary>
    public static bool CgroupFirst(ChoiceMode mode, string? v2Mount, string procRoot = "/proc") => mode switch
    {
        ChoiceMode.On => v2Mount is not null,
        ChoiceMode.Off => false,
        _ => v2Mount is not null && HasMemoryController(v2Mount) && ReadTrimmed(Path.Combine(procRoot, "1", "comm")) == "systemd",
    };

    /// <summary>Kubernetes ranking: on when the hierarchy has a kubepods root (either cgroup driver) at its top.</summary>
    public static bool Kubernetes(ChoiceMode mode, string? v2Mount) => mode switch
    {
        ChoiceMode.On => true,
        ChoiceMode.Off => false,
        _ => v2Mount is not null && (Directory.Exists(Path.Combine(v2Mount, "kubepods.slice")) || Directory.Exists(Path.Combine(v2Mount, "kubepods"))),
    };

    public static bool HasMemoryController(string v2Mount) =>
        ReadTrimmed(Path.Combine(v2Mount, "cgroup.controllers")) is string controllers && controllers.Split(' ').Contains("memory");

    private static string? ReadTrimmed(string path)
    {
        try
        {
            return File.ReadAllText(path).Trim();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
