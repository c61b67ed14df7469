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
    /// The system sensor whose MemAvailable bounds this scope (a cgroup sensor's), which keeps the per-CPU list credit
    /// (<see cref="Core.Daemon.PerCpuListCredit"/>); null where there is none. The system sensor keeps its own.
    /// </summary>
    SystemMemorySensor? ListCreditOwner => null;

    /// <summary>Whether the last reading was bounded by MemAvailable (a cgroup with no limit above it).</summary>
    bool BoundedByMemAvailable => false;

    /// <summary>
    /// The bytes on the kernel's per-CPU free lists now, where the scope's available memory is MemAvailable (the
    /// machine, a cgroup without a limit); -1 elsewhere, or where they cannot be read. The base of a signal's credit.
    /// A limited group's usage drops as its pages are freed, lists or not, and needs no credit.
    /// </summary>
    long ListBytesNow() => BoundedByMemAvailable && ListCreditOwner is { } owner ? owner.ListBytesNow() : -1;

    /// <summary>
    /// A victim holding up to <paramref name="heldBytes"/> was just signalled, the lists holding
    /// <paramref name="listBytes"/> (<see cref="ListBytesNow"/>) at the signal: where the scope's available memory is
    /// MemAvailable, what the victim frees onto the lists is counted back from here on; elsewhere nothing.
    /// <paramref name="newVictim"/>: not an escalation.
    /// </summary>
    void VictimSignalled(long heldBytes, bool newVictim, long listBytes)
    {
        if (BoundedByMemAvailable)
        {
            ListCreditOwner?.VictimSignalled(heldBytes, newVictim, listBytes);
        }
    }

    /// <summary>The victim signalled last is no longer in flight (settled or let go).</summary>
    void VictimReleased(long nowMs) => ListCreditOwner?.VictimReleased(nowMs);

    /// <summary>Ends a running credit at once (after the start-up's warm-up kill).</summary>
    void EndListCredit() => ListCreditOwner?.EndListCredit();

    /// <summary>Runs the per-CPU list credit's code once before memory is locked (nothing where the scope has none).</summary>
    void WarmUpListCredit(long timeMs) => ListCreditOwner?.WarmUpListCredit(timeMs);
}
