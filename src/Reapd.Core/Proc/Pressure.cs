namespace Reapd.Core.Proc;

/// <summary>/proc/pressure/memory (or a cgroup2 memory.pressure): the "some" and "full" lines.</summary>
public struct Pressure
{
    public PressureLine Some;
    public PressureLine Full;

    /// <summary>False for a PSI file without a "full" line (cpu before 5.13).</summary>
    public bool HasFull;
}
