using Reapd.Core.Proc;

namespace Reapd.Linux.Proc;

/// <summary>
/// Reads ROOT/PID/{stat,status,oom_score_adj,cmdline,cgroup} into one preallocated buffer and parses them with the
/// pure parsers: no allocation per read. A process that exits mid-read is <see cref="ProcReadOutcome.Gone"/>, a
/// normal outcome. Files are opened and closed per read, never held across a kill (kernel.md C.8: a reader of
/// cmdline takes an mm reference and could end up running the victim's last mmput). Not thread-safe.
/// </summary>
public sealed class ProcessReader
{
    private const int BufferBytes = 16 * 1024;

    private readonly byte[] _root;
    private readonly byte[] _buffer = new byte[BufferBytes];
    private readonly PidDirectory _tasks;

    public ProcessReader(string procRoot = "/proc")
    {
        ProcRoot = procRoot;
        _root = KernelFile.RootBytes(procRoot);
        _tasks = new PidDirectory(_root, 16);
    }

    public string ProcRoot { get; }

    internal ReadOnlySpan<byte> RootBytes => _root;

    public ProcReadOutcome TryReadStat(int pid, out ProcStat stat)
    {
        ProcReadOutcome outcome = Read(pid, "stat"u8, out ReadOnlySpan<byte> text);
        if (outcome != ProcReadOutcome.Ok)
        {
            stat = default;
            return outcome;
        }
        // An exiting process can leave an empty file behind between open and read: that is the race, not garbage.
        if (text.IsEmpty)
        {
            stat = default;
            return ProcReadOutcome.Gone;
        }
        return ProcStatParser.TryParse(text, out stat) ? ProcReadOutcome.Ok : ProcReadOutcome.Malformed;
    }

    public ProcReadOutcome TryReadStatus(int pid, out ProcStatus status)
    {
        ProcReadOutcome outcome = Read(pid, "status"u8, out ReadOnlySpan<byte> text);
        if (outcome != ProcReadOutcome.Ok)
        {
            status = default;
            return outcome;
        }
        if (text.IsEmpty)
        {
            status = default;
            return ProcReadOutcome.Gone;
        }
        return ProcStatusParser.TryParse(text, out status) ? ProcReadOutcome.Ok : ProcReadOutcome.Malformed;
    }

    /// <summary>
    /// ROOT/PID/task/TID/status: the memory lines of one thread. When a killed process's leader is already a zombie
    /// while another thread still holds the mm, only a live thread's status shows them (kernel.md C.8).
    /// </summary>
    public ProcReadOutcome TryReadThreadStatus(int pid, int tid, out ProcStatus status)
    {
        Span<byte> leaf = stackalloc byte[32];
        "task/"u8.CopyTo(leaf);
        tid.TryFormat(leaf[5..], out int digits, provider: System.Globalization.CultureInfo.InvariantCulture);
        "/status"u8.CopyTo(leaf[(5 + digits)..]);
        ProcReadOutcome outcome = Read(pid, leaf[..(5 + digits + 7)], out ReadOnlySpan<byte> text);
        if (outcome != ProcReadOutcome.Ok || text.IsEmpty)
        {
            status = default;
            return outcome == ProcReadOutcome.Ok ? ProcReadOutcome.Gone : outcome;
        }
        return ProcStatusParser.TryParse(text, out status) ? ProcReadOutcome.Ok : ProcReadOutcome.Malformed;
    }

    /// <summary>
    /// The memory lines of a process as the kernel ranks it, by its mm (find_lock_task_mm in mm/oom_kill.c): the
    /// leader's status when the leader has an mm; when it has none but the thread group still has other threads (a
    /// main thread that called pthread_exit, or a killed process whose leader is a zombie while another thread still
    /// holds the mm), the status of the first thread that has one. <paramref name="holderTid"/> is the thread whose
    /// lines were read (the pid itself for the leader), 0 when no thread holds an mm (a zombie, an exiting process, a
    /// kernel thread): then <paramref name="status"/> is the leader's, without memory lines. Allocation-free.
    /// </summary>
    public ProcReadOutcome TryReadMemoryStatus(int pid, int threads, out ProcStatus status, out int holderTid)
    {
        holderTid = 0;
        ProcReadOutcome outcome = TryReadStatus(pid, out status);
        if (outcome != ProcReadOutcome.Ok)
        {
            return outcome;
        }
        if (status.HasMm)
        {
            holderTid = pid;
            return outcome;
        }
        if (threads <= 1 && status.Threads <= 1)
        {
            return outcome;
        }
        Span<byte> path = stackalloc byte[KernelFile.PathBufferBytes];
        KernelFile.PidPath(path, _root, pid, "task"u8);
        if (_tasks.TryListAt(path, out ReadOnlySpan<int> tids) != ProcReadOutcome.Ok)
        {
            // The process went away while its threads were listed: the leader's lines (no memory) stand.
            return outcome;
        }
        foreach (int tid in tids)
        {
            if (tid != pid && TryReadThreadStatus(pid, tid, out ProcStatus thread) == ProcReadOutcome.Ok && thread.HasMm)
            {
                holderTid = tid;
                status = thread;
                return outcome;
            }
        }
        return outcome;
    }

    /// <summary>
    /// The thread of <paramref name="pid"/> that holds its mm right now, for kcmp(2), which compares the mm of the
    /// task a number names (a zombie leader has none even while its other threads hold the memory). 0 when none does.
    /// </summary>
    public int FindMmHolder(int pid, in ProcStat stat)
    {
        if (stat.IsKernelThread)
        {
            return 0;
        }
        if (stat.VsizeBytes > 0)
        {
            return pid;
        }
        return stat.NumThreads > 1 && TryReadMemoryStatus(pid, stat.NumThreads, out _, out int holder) == ProcReadOutcome.Ok ? holder : 0;
    }

    /// <summary>Is thread <paramref name="tid"/> still a thread of <paramref name="pid"/> with an mm?</summary>
    public bool ThreadHoldsMm(int pid, int tid)
    {
        if (tid == pid)
        {
            return TryReadStat(pid, out ProcStat stat) == ProcReadOutcome.Ok && stat.VsizeBytes > 0;
        }
        return TryReadThreadStatus(pid, tid, out ProcStatus status) == ProcReadOutcome.Ok && status.HasMm;
    }

    public ProcReadOutcome TryReadOomScoreAdj(int pid, out int oomScoreAdj)
    {
        ProcReadOutcome outcome = Read(pid, "oom_score_adj"u8, out ReadOnlySpan<byte> text);
        if (outcome != ProcReadOutcome.Ok)
        {
            oomScoreAdj = 0;
            return outcome;
        }
        if (text.IsEmpty)
        {
            oomScoreAdj = 0;
            return ProcReadOutcome.Gone;
        }
        return OomScoreAdjParser.TryParse(text, out oomScoreAdj) ? ProcReadOutcome.Ok : ProcReadOutcome.Malformed;
    }

    /// <summary>Copies the raw cmdline (NUL-separated, possibly cut to the destination's size; empty for kernel threads).</summary>
    public ProcReadOutcome TryReadCmdline(int pid, Span<byte> destination, out int length)
    {
        length = 0;
        ProcReadOutcome outcome = Read(pid, "cmdline"u8, out ReadOnlySpan<byte> text, allowFull: true);
        if (outcome != ProcReadOutcome.Ok)
        {
            return outcome;
        }
        length = Math.Min(text.Length, destination.Length);
        text[..length].CopyTo(destination);
        return ProcReadOutcome.Ok;
    }

    /// <summary>Copies the raw /proc/PID/cgroup; parse it with <see cref="ProcCgroupParser"/>.</summary>
    public ProcReadOutcome TryReadCgroup(int pid, Span<byte> destination, out int length)
    {
        length = 0;
        ProcReadOutcome outcome = Read(pid, "cgroup"u8, out ReadOnlySpan<byte> text);
        if (outcome != ProcReadOutcome.Ok)
        {
            return outcome;
        }
        if (text.Length > destination.Length)
        {
            return ProcReadOutcome.Malformed;
        }
        text.CopyTo(destination);
        length = text.Length;
        return ProcReadOutcome.Ok;
    }

    /// <summary>The v1 memory cgroup path of a process ("/" for the root), allocating: for commands, not the scan.</summary>
    public ProcReadOutcome TryReadMemoryCgroupPath(int pid, out string? path)
    {
        path = null;
        Span<byte> text = stackalloc byte[4096];
        ProcReadOutcome outcome = TryReadCgroup(pid, text, out int length);
        if (outcome != ProcReadOutcome.Ok)
        {
            return outcome;
        }
        if (!ProcCgroupParser.TryFindV1(text[..length], "memory"u8, out ReadOnlySpan<byte> found))
        {
            return ProcReadOutcome.Malformed;
        }
        path = System.Text.Encoding.UTF8.GetString(found);
        return ProcReadOutcome.Ok;
    }

    /// <summary>Does ROOT/PID exist right now?</summary>
    public bool Exists(int pid)
    {
        return TryReadStat(pid, out _) == ProcReadOutcome.Ok;
    }

    private ProcReadOutcome Read(int pid, ReadOnlySpan<byte> leaf, out ReadOnlySpan<byte> text, bool allowFull = false)
    {
        Span<byte> path = stackalloc byte[KernelFile.PathBufferBytes];
        KernelFile.PidPath(path, _root, pid, leaf);
        ProcReadOutcome outcome = KernelFile.ReadAll(path, _buffer, out int length);
        if (outcome == ProcReadOutcome.Malformed && allowFull)
        {
            outcome = ProcReadOutcome.Ok;
        }
        text = outcome == ProcReadOutcome.Ok ? _buffer.AsSpan(0, length) : default;
        return outcome;
    }
}
