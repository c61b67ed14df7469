namespace Reapd.Core.Proc;

/// <summary>The fields of /proc/PID/stat that reapd uses (proc(5); field numbers from 1, docs/kernel.md C.8).</summary>
public struct ProcStat
{
    /// <summary>PF_KTHREAD in the flags field (include/linux/sched.h); ABI that systemd relies on too.</summary>
    public const uint PF_KTHREAD = 0x00200000;

    /// <summary>Field 1.</summary>
    public int Pid;

    /// <summary>Field 2: the text between the first '(' and the last ')'.</summary>
    public ProcessName Name;

    /// <summary>Field 3: R S D Z T t X I (as the ASCII byte).</summary>
    public byte State;

    /// <summary>Field 4.</summary>
    public int ParentPid;

    /// <summary>Field 5: the process group id (what a process-group kill scope reaches).</summary>
    public int ProcessGroupId;

    /// <summary>Field 9: the task's PF_* flags.</summary>
    public uint Flags;

    /// <summary>Field 20.</summary>
    public int NumThreads;

    /// <summary>Field 22: clock ticks after boot at which the process started; with the pid, its identity.</summary>
    public ulong StartTimeTicks;

    /// <summary>Field 23: virtual memory size in bytes (identical for every process sharing one mm).</summary>
    public ulong VsizeBytes;

    /// <summary>Field 24: resident set size in pages.</summary>
    public long RssPages;

    /// <summary>
    /// Fields 28, 47, 48, 50 (start of stack, heap, arguments, environment): where the kernel laid out this mm. They
    /// belong to the mm, so processes sharing one show the same; an exec builds a new mm with a new, randomised
    /// layout. Zero when the process has no mm, when the reader may not see them, or on kernels before 3.5.
    /// </summary>
    public MmLayout Layout;

    public readonly bool IsKernelThread => (Flags & PF_KTHREAD) != 0;

    public readonly bool IsZombie => State == (byte)'Z' || State == (byte)'X';
}
