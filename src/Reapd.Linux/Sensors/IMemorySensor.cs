using Reapd.Core.Daemon;

namespace Reapd.Linux.Sensors;

/// <summary>
/// Reads the guarded scope into a <see cref="MemorySample"/>: files opened once, re-read with pread into
/// preallocated buffers, so a warm read allocates nothing. One reader thread.
/// </summary>
public interface IMemorySensor : IDisposable
{
    /// <summary>What is guarded, for the start event ("system", "cgroup v1 /sys/fs/cgroup/memory/x").</summary>
    string Description { get; }

    /// <summary>The PSI file for triggers (/proc/pressure/memory, cgroup2 memory.pressure), or null where there is none (cgroup v1).</summary>
    string? PressurePath { get; }

    /// <summary>Takes one reading at <paramref name="timeMs"/>; false when a file could not be read or parsed (the scope vanished).</summary>
    bool TryRead(long timeMs, out MemorySample sample);

    /// <summary>
    /// A cheaper reading whose available memory and free swap are proven lower bounds of what <see cref="TryRead"/>
    /// would give (MemorySample.AvailableIsLowerBound); false where the scope has none (then the full read is taken).
    /// </summary>
    bool TryReadLowerBound(long timeMs, out MemorySample sample)
    {
        sample = default;
        return false;
    }

    /// <summary>
    /// <see cref="TryReadLowerBound(long, out MemorySample)"/> without reading the PSI file: the sample carries
    /// <paramref name="keptPressure"/> (the last reading) instead. For quiet wake-ups while PSI triggers watch every
    /// stall condition; false where the scope has no lower bound.
    /// </summary>
    bool TryReadLowerBound(long timeMs, in PsiReading keptPressure, out MemorySample sample)
    {
        sample = default;
        return false;
    }

    /// <summary>
    /// The PSI file alone (one pread), for a quiet wake-up that took <see cref="TryReadLowerBound(long, in PsiReading, out MemorySample)"/>
    /// and then found it needs the stall counters after all (swap in use while only the thrash condition lacks a
    /// trigger). Not present where the scope has no such file or it cannot be read.
    /// </summary>
    PsiReading ReadPressure() => default;

    /// <summary>
    /// The system sensor that keeps the per-CPU list credit (<see cref="Core.Daemon.PerCpuListCredit"/>) for this scope:
    /// the system sensor itself, or the one a cgroup sensor is bounded by; null where there is none.
    /// </summary>
    SystemMemorySensor? ListCreditOwner => null;

    /// <summary>
    /// Whether the last reading's available memory was MemAvailable (the machine, or a cgroup with no limit above it):
    /// only there does a victim's credit start. A limited group's usage drops as its pages are freed, lists or not.
    /// </summary>
    bool BoundedByMemAvailable => false;
}
