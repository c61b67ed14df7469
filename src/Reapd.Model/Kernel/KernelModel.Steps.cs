using Reapd.Model.Exploration;

namespace Reapd.Model.Kernel;

internal sealed partial class KernelModel
{
    /// <summary>Performs the actor's step on <paramref name="s"/>; returns the set of invariants it broke.</summary>
    protected override int Step(ref KernelState s, int actor, StepExplanation? x)
    {
        switch (actor)
        {
            case A1:
                return AllocatorStep(ref s, ref s.A1Pc, OomLockOwner.A1, x);
            case A2:
                return AllocatorStep(ref s, ref s.A2Pc, OomLockOwner.A2, x);
            case V:
                if (s.VPc == VictimPc.Alive)
                {
                    // exit_mm(): task_lock; current->mm = NULL; task_unlock; mmput().
                    s.VMm = false;
                    s.VPc = VictimPc.Done;
                    return DropUser(ref s, MmputRunner.V, x);
                }
                return ExitStep(ref s, x);
            case T2:
                switch (s.T2Pc)
                {
                    case ThreadPc.HoldsWrite:
                        s.Writer = WriterHolder.None;
                        s.T2Pc = ThreadPc.Alive;
                        return 0;
                    case ThreadPc.Alive:
                        s.T2Pc = ThreadPc.Done;
                        return DropUser(ref s, MmputRunner.T2, x);
                    default:
                        return ExitStep(ref s, x);
                }
            case H:
                switch (s.HPc)
                {
                    case HolderPc.Idle:
                        // get_task_mm(): task_lock(V); mm = V->mm; mmget_not_zero. No thread with an mm: nothing to hold.
                        if (s.AnyThreadHasMm && s.Users > 0)
                        {
                            s.Users++;
                            s.HPc = HolderPc.Holding;
                            x?.Say("holds a reference");
                        }
                        else
                        {
                            s.HPc = HolderPc.Done;
                            x?.Say("V has no mm any more");
                        }
                        return 0;
                    case HolderPc.Holding:
                        s.HPc = HolderPc.Done;
                        return DropUser(ref s, MmputRunner.H, x);
                    default:
                        return ExitStep(ref s, x);
                }
            case W:
                return ExitStep(ref s, x);
            case R:
                return ReaperStep(ref s, x);
            case U:
                return MreleaseStep(ref s, x);
            case IO:
                s.AioInflight = false;
                if (s.T2Pc == ThreadPc.BlockedHoldingWrite)
                {
                    s.T2Pc = ThreadPc.HoldsWrite;
                }
                return 0;
            default:
                throw new ArgumentOutOfRangeException(nameof(actor));
        }
    }

    // ---- The OOM killer, run by an allocating task under oom_lock (mm/oom_kill.c out_of_memory()).

    private int AllocatorStep(ref KernelState s, ref AllocatorPc pc, OomLockOwner me, StepExplanation? x)
    {
        switch (pc)
        {
            case AllocatorPc.Alloc:
                // Memory comes back when V's anon pages are gone or a second victim was killed.
                if (s.Anon == 0 || s.V2Killed)
                {
                    pc = AllocatorPc.Done;
                    x?.Say("succeeds");
                }
                else
                {
                    pc = AllocatorPc.WantLock;
                    x?.Say("fails: out of memory");
                }
                return 0;
            case AllocatorPc.WantLock:
                s.OomLock = me;
                pc = AllocatorPc.Select;
                return 0;
            case AllocatorPc.Select:
                return Select(ref s, ref pc, x);
            case AllocatorPc.KillV:
                s.OomLock = OomLockOwner.None;
                pc = AllocatorPc.Alloc;
                if (!s.AnyThreadHasMm)
                {
                    x?.Say("V has passed exit_mm: no kill");
                    return 0;
                }
                s.VKilled = true;
                if (!s.VOomMm)
                {
                    // mark_oom_victim(): signal->oom_mm = mm, mmgrab; 4.15-5.19 also MMF_OOM_VICTIM.
                    s.VOomMm = true;
                    s.Count++;
                    if (_variant.MarksMmOomVictim)
                    {
                        s.Flags |= MmFlags.OomVictim;
                    }
                    // queue_oom_reaper(): 5.18+ arms a 2 s timer first.
                    if (_variant.DelaysReaper)
                    {
                        s.RTimer = true;
                    }
                    else
                    {
                        s.RQueued = true;
                    }
                }
                x?.Say("SIGKILL, V marked as OOM victim, reaper queued");
                return 0;
            case AllocatorPc.KillV2:
                s.OomLock = OomLockOwner.None;
                pc = AllocatorPc.Alloc;
                return KillSecondVictim(ref s, x);
            default:
                throw new InvalidOperationException("model: allocator has no step");
        }
    }

    /// <summary>select_bad_process() / oom_evaluate_task() over V and an innocent V2.</summary>
    private int Select(ref KernelState s, ref AllocatorPc pc, StepExplanation? x)
    {
        bool vEligible;
        if (s.VOomMm)
        {
            if ((s.Flags & MmFlags.OomSkip) == 0 && _variant.SelectAbortsOnVictim)
            {
                // "This task already has access to memory reserves and is being killed. Don't allow any other task to
                // have access to the reserves unless the task has MMF_OOM_SKIP": abort, no kill.
                s.OomLock = OomLockOwner.None;
                pc = AllocatorPc.Alloc;
                x?.Say("aborts: V is an OOM victim without OOM_SKIP");
                return 0;
            }
            vEligible = false;
        }
        else
        {
            vEligible = s.AnyThreadHasMm && (s.Flags & MmFlags.OomSkip) == 0;
        }
        if (vEligible)
        {
            pc = AllocatorPc.KillV;
            x?.Say("picks V");
        }
        else if (!s.V2Killed)
        {
            pc = AllocatorPc.KillV2;
            x?.Say("skips V, picks V2");
        }
        else
        {
            s.OomLock = OomLockOwner.None;
            pc = AllocatorPc.Alloc;
            x?.Say("nothing eligible");
        }
        return 0;
    }

    private static int KillSecondVictim(ref KernelState s, StepExplanation? x)
    {
        int broken = 0;
        s.V2Killed = true;
        x?.Say("SIGKILL to V2");
        if (!s.VOomMm)
        {
            return 0;
        }
        bool skip = (s.Flags & MmFlags.OomSkip) != 0;
        if (!skip)
        {
            broken |= 1 << N2;
            x?.Break(N2, "-", "V2 is killed while V is an OOM victim whose mm lacks OOM_SKIP");
        }
        if (!skip || s.Anon != 0 && !s.RGaveUp)
        {
            broken |= 1 << N1;
            if (x is not null)
            {
                string label = s.ExitPc == ExitPc.ExitAio && s.AioInflight ? "1a" : "1b";
                x.Break(N1, label, label == "1a"
                    ? !skip
                        ? "V2 is killed while V, an OOM victim, does not even have OOM_SKIP yet (its exit is stuck in exit_aio())"
                        : "V2 is killed while V's anon pages are still mapped: V's exit is stuck in exit_aio(), and OOM_SKIP was set by a reaper that could have freed them and did not (4.13: it bailed out on mm_users == 0)"
                    : !skip
                        ? "V2 is killed while V, an OOM victim, does not have OOM_SKIP yet: its memory is still coming back"
                        : "V2 is killed while V's anon pages are still mapped and nothing stops them from being freed: OOM_SKIP was set before the memory was");
            }
        }
        return broken;
    }

    // ---- mmput() and __mmput(): kernel/fork.c.

    /// <summary>mmput(): drop one mm_users reference; the task that drops the last one runs __mmput().</summary>
    private static int DropUser(ref KernelState s, MmputRunner who, StepExplanation? x)
    {
        if (s.Users == 0)
        {
            x?.Break(S2, "-", "mm_users dropped below zero");
            return 1 << S2;
        }
        s.Users--;
        if (s.Users > 0)
        {
            return 0;
        }
        if (s.MmputStarted)
        {
            // Unreachable in every variant (mm_users reaches 0 once): a model bug, not a verdict.
            throw new InvalidOperationException("model: __mmput() runs a second time");
        }
        s.MmputStarted = true;
        s.Runner = who;
        s.ExitPc = ExitPc.ExitAio;
        MoveRunner(ref s, entering: true);
        x?.Say("mm_users is 0: runs __mmput()");
        return 0;
    }

    /// <summary>Puts the __mmput() runner's own program counter into __mmput(), or past it.</summary>
    private static void MoveRunner(ref KernelState s, bool entering)
    {
        switch (s.Runner)
        {
            case MmputRunner.V:
                s.VPc = entering ? VictimPc.InMmput : VictimPc.Done;
                break;
            case MmputRunner.T2:
                s.T2Pc = entering ? ThreadPc.InMmput : ThreadPc.Done;
                break;
            case MmputRunner.H:
                s.HPc = entering ? HolderPc.InMmput : HolderPc.Done;
                break;
            case MmputRunner.W:
                s.WPc = entering ? WorkerPc.InMmput : WorkerPc.Done;
                break;
        }
    }

    /// <summary>mmdrop(): drop one mm_count reference; the last one frees the mm_struct.</summary>
    private static int DropCount(ref KernelState s, StepExplanation? x)
    {
        if (s.Count == 0)
        {
            // Unreachable in every variant (each mmgrab has one mmdrop): a model bug, not a verdict.
            throw new InvalidOperationException("model: mm_count dropped below zero");
        }
        s.Count--;
        if (s.Count > 0)
        {
            return 0;
        }
        s.StructFreed = true;
        if (s.VOomMm)
        {
            // Unreachable in every variant (signal->oom_mm holds its own mm_count): a model bug, not a verdict.
            throw new InvalidOperationException("model: the mm_struct is freed while signal->oom_mm still points to it");
        }
        x?.Say("mm_count is 0: mm_struct freed");
        return 0;
    }

    // ---- The rw-semaphore, as Linux's: a blocked writer (or reader) queues, and a queued waiter makes new read
    // trylocks fail (kernel/locking/rwsem.c: RWSEM_FLAG_WAITERS is in RWSEM_READ_FAILED_MASK).

    private static bool ReadTrylock(in KernelState s) => s.Writer == WriterHolder.None && s.Queue == RwsemQueue.Empty;

    private static bool WriteTrylock(in KernelState s) =>
        s.Writer == WriterHolder.None && s.Readers == 0 && s.Queue == RwsemQueue.Empty;

    // ---- S1: every access by a reaper to the mm's memory.

    private static int Access(in KernelState s, bool vmas, bool pgtables, string walker, StepExplanation? x)
    {
        bool mrelease = walker == "U";
        string label = mrelease ? "5" : s.Runner == MmputRunner.H ? "2b" : "2";
        if (s.StructFreed)
        {
            // Unreachable in every variant: both reapers hold an mm_count (mmgrab) while they work. A model bug.
            throw new InvalidOperationException($"model: {walker} touches the freed mm_struct");
        }
        if (vmas && s.VmasFreed || pgtables && s.PgtablesFreed)
        {
            if (mrelease)
            {
                // Unreachable in every variant: process_mrelease reaches freed VMAs only through the stale list head
                // (the S1 "5" arm in the reaper's walk); it never runs concurrently with remove_vma() otherwise.
                throw new InvalidOperationException("model: process_mrelease walks memory exit_mmap() has freed");
            }
            x?.Break(S1, label, vmas && s.VmasFreed
                ? "the oom_reaper reads a VMA that remove_vma() has freed"
                : "the oom_reaper walks page tables that free_pgtables() has freed");
            return 1 << S1;
        }
        return 0;
    }
}
