using Reapd.Core.Proc;

namespace Reapd.Linux.Kill;

/// <summary>
/// Another process (not a thread of the victim) that shares the victim's mm: a clone(CLONE_VM) child or a vfork
/// parent or child. process_mrelease refuses to reap while one of them is alive and not dying (task_will_free_mem,
/// kernel.md C.3), so it is killed with the victim, as the kernel's oom_kill_process does. Owns its own pidfd.
/// </summary>
public sealed class Sharer : IDisposable
{
    internal Sharer(int pid, ulong startTimeTicks, PidFdHandle pidfd, MmLayout layout)
    {
        Pid = pid;
        StartTimeTicks = startTimeTicks;
        PidFd = pidfd;
        LayoutWhenFound = layout;
    }

    /// <summary>The layout of the shared mm when the search found it: an exec since then changes it.</summary>
    public MmLayout LayoutWhenFound { get; }

    public int Pid { get; }

    public ulong StartTimeTicks { get; }

    public PidFdHandle PidFd { get; }

    /// <summary>The outcome of SIGKILL to this sharer, once sent.</summary>
    public SignalOutcome? KillOutcome { get; internal set; }

    public void Dispose() => PidFd.Dispose();
}
