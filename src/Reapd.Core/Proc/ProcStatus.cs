namespace Reapd.Core.Proc;

/// <summary>
/// The fields of /proc/PID/status that reapd uses, sizes in KiB. The Vm* and Rss* lines are printed only while the
/// task has an mm (fs/proc/task_mmu.c task_mem, called when get_task_mm succeeds): they are absent for zombies,
/// kernel threads, and a killed process whose leader is a zombie while another thread still holds the mm
/// (docs/kernel.md C.8). <see cref="HasMm"/> tells which.
/// </summary>
public struct ProcStatus
{
    /// <summary>True when the VmRSS line was present, i.e. the task had an mm at read time.</summary>
    public bool HasMm;

    /// <summary>"State:" as its letter (R S D Z T t X I).</summary>
    public byte State;

    public int Tgid;
    public int ParentPid;
    public int Threads;

    /// <summary>"Uid:" first field, the real uid (the user a rule's `user` matches).</summary>
    public uint RealUid;

    public long VmSizeKiB;
    public long VmRssKiB;
    public long RssAnonKiB;
    public long RssFileKiB;
    public long RssShmemKiB;
    public long VmPteKiB;
    public long VmSwapKiB;

    /// <summary>"CapEff:" bit mask (bit N = capability N, include/uapi/linux/capability.h).</summary>
    public ulong CapEff;

    /// <summary>"CoreDumping: 1" while a core dump is in progress (process_mrelease refuses then: docs/kernel.md D.5).</summary>
    public bool CoreDumping;
}
