namespace Reapd.Model.Kernel;

internal sealed partial class KernelModel
{
    /// <summary>The step an actor would take now, or null when it has none (done, or blocked on a lock or an IO).</summary>
    protected override string? StepName(in KernelState s, int actor) => actor switch
    {
        // Allocators take oom_lock with mutex_trylock() (mm/page_alloc.c __alloc_pages_may_oom); the 4.13/4.14 reaper
        // sleeps in mutex_lock(), and a sleeping waiter gets the lock handed over (kernel/locking/mutex.c
        // MUTEX_FLAG_HANDOFF), so an allocator's trylock cannot starve it: while R waits, allocators do not get it.
        A1 => AllocatorStepName(in s, s.A1Pc, "A1"),
        A2 => AllocatorStepName(in s, s.A2Pc, "A2"),
        V => s.VPc switch
        {
            VictimPc.Alive when s.VKilled => "V.exit_mm",
            VictimPc.InMmput => ExitStepName(in s),
            _ => null,
        },
        T2 => s.T2Pc switch
        {
            ThreadPc.HoldsWrite => "V.t2.mmap_write_unlock",
            ThreadPc.Alive when s.VKilled => "V.t2.exit_mm",
            ThreadPc.InMmput => ExitStepName(in s),
            _ => null,
        },
        H => s.HPc switch
        {
            HolderPc.Idle => "H.get_task_mm",
            HolderPc.Holding => "H.mmput",
            HolderPc.InMmput => ExitStepName(in s),
            _ => null,
        },
        W => s.WPc == WorkerPc.InMmput ? ExitStepName(in s) : null,
        R => ReaperStepName(in s),
        U => MreleaseStepName(in s),
        IO => s.AioInflight || s.T2Pc == ThreadPc.BlockedHoldingWrite ? "IO.complete" : null,
        _ => null,
    };

    private static string? AllocatorStepName(in KernelState s, AllocatorPc pc, string who) => pc switch
    {
        AllocatorPc.Alloc => who == "A1" ? "A1.alloc" : "A2.alloc",
        AllocatorPc.WantLock when s.OomLock == OomLockOwner.None && s.RPc != ReaperPc.LockOom => who == "A1" ? "A1.lock_oom" : "A2.lock_oom",
        AllocatorPc.Select => who == "A1" ? "A1.select_bad_process" : "A2.select_bad_process",
        AllocatorPc.KillV => who == "A1" ? "A1.oom_kill_V" : "A2.oom_kill_V",
        AllocatorPc.KillV2 => who == "A1" ? "A1.oom_kill_V2" : "A2.oom_kill_V2",
        _ => null,
    };

    private string? ExitStepName(in KernelState s)
    {
        bool enabled = s.ExitPc switch
        {
            ExitPc.ExitAio => !s.AioInflight,
            ExitPc.WaitRead => Head(s.Queue) == RwsemQueue.X && s.Writer == WriterHolder.None,
            ExitPc.WaitWrite => Head(s.Queue) == RwsemQueue.X && s.Writer == WriterHolder.None && s.Readers == 0,
            ExitPc.None or ExitPc.Done => false,
            _ => true,
        };
        return enabled ? _exitStepNames[(int)s.Runner][(int)s.ExitPc] : null;
    }

    private string? ReaperStepName(in KernelState s) => s.RPc switch
    {
        ReaperPc.Idle when s.RTimer => "R.wake_oom_reaper",
        ReaperPc.Idle when s.RQueued => "R.take_victim",
        ReaperPc.LockOom when s.OomLock == OomLockOwner.None => "R.lock_oom",
        ReaperPc.TryLock => "R.trylock_read",
        ReaperPc.Check => _variant.Guard == ReaperGuard.MmUsers ? "R.mmget_not_zero" : "R.check_oom_skip",
        ReaperPc.ReadVma1 => "R.read_vma1",
        ReaperPc.ZapVma1 => "R.zap_vma1",
        ReaperPc.ReadVma2 => "R.read_vma2",
        ReaperPc.ZapVma2 => "R.zap_vma2",
        ReaperPc.Unlock => "R.unlock_read",
        ReaperPc.MmputAsync => "R.mmput_async",
        ReaperPc.GiveUp => "R.set_oom_skip",
        _ => null,
    };

    private static string? MreleaseStepName(in KernelState s) => s.UPc switch
    {
        MreleasePc.Kill => "U.pidfd_send_signal",
        MreleasePc.Find => "U.process_mrelease",
        MreleasePc.LockRead => "U.mmap_read_lock",
        MreleasePc.WaitRead when Head(s.Queue) == RwsemQueue.U && s.Writer == WriterHolder.None => "U.mmap_read_lock_granted",
        MreleasePc.CheckSkip => "U.check_oom_skip",
        MreleasePc.ReadVma1 => "U.read_vma1",
        MreleasePc.ZapVma1 => "U.zap_vma1",
        MreleasePc.ReadVma2 => "U.read_vma2",
        MreleasePc.ZapVma2 => "U.zap_vma2",
        MreleasePc.Unlock => "U.mmap_read_unlock",
        MreleasePc.Drop => "U.mmdrop",
        _ => null,
    };

    /// <summary>The first blocked task on mmap_sem, X or U, or Empty.</summary>
    private static RwsemQueue Head(RwsemQueue q) => q switch
    {
        RwsemQueue.X or RwsemQueue.XU => RwsemQueue.X,
        RwsemQueue.U or RwsemQueue.UX => RwsemQueue.U,
        _ => RwsemQueue.Empty,
    };

    private static RwsemQueue Enqueue(RwsemQueue q, RwsemQueue who) => (q, who) switch
    {
        (RwsemQueue.Empty, _) => who,
        (RwsemQueue.X, RwsemQueue.U) => RwsemQueue.XU,
        (RwsemQueue.U, RwsemQueue.X) => RwsemQueue.UX,
        _ => throw new InvalidOperationException($"model: {who} blocks twice on mmap_sem ({q})"),
    };

    private static RwsemQueue Dequeue(RwsemQueue q) => q switch
    {
        RwsemQueue.XU => RwsemQueue.U,
        RwsemQueue.UX => RwsemQueue.X,
        _ => RwsemQueue.Empty,
    };
}
