using Reapd.Model.Exploration;

namespace Reapd.Model.Kernel;

internal sealed partial class KernelModel
{
    /// <summary>One step of the oom_reaper kthread: oom_reap_task() and oom_reap_task_mm() of the variant.</summary>
    private int ReaperStep(ref KernelState s, StepExplanation? x)
    {
        bool skip = (s.Flags & MmFlags.OomSkip) != 0;
        switch (s.RPc)
        {
            case ReaperPc.Idle when s.RTimer:
                // wake_oom_reaper() after OOM_REAPER_DELAY: an mm with OOM_SKIP by then is not queued.
                s.RTimer = false;
                s.RQueued = !skip;
                x?.Say(skip ? "OOM_SKIP already set: not queued" : "queues V");
                return 0;
            case ReaperPc.Idle:
                s.RQueued = false;
                s.RAttempts = 0;
                s.RPc = _variant.ReaperTakesOomLock ? ReaperPc.LockOom : ReaperPc.TryLock;
                return 0;
            case ReaperPc.LockOom:
                s.OomLock = OomLockOwner.R;
                s.RPc = ReaperPc.TryLock;
                return 0;
            case ReaperPc.TryLock:
                if (ReadTrylock(in s))
                {
                    s.Readers |= KernelState.ReaderR;
                    if (_variant.Guard == ReaperGuard.None)
                    {
                        s.Flags |= MmFlags.Unstable;
                        s.RPc = ReaperPc.ReadVma1;
                    }
                    else
                    {
                        s.RPc = ReaperPc.Check;
                    }
                    x?.Say("acquired");
                    return 0;
                }
                s.RAttempts++;
                ReleaseOomLockIfHeld(ref s);
                if (s.RAttempts >= _maxRetries)
                {
                    s.RPc = ReaperPc.GiveUp;
                    x?.Say("fails: a writer holds or waits; out of retries");
                }
                else
                {
                    s.RPc = _variant.ReaperTakesOomLock ? ReaperPc.LockOom : ReaperPc.TryLock;
                    x?.Say("fails: a writer holds or waits; sleeps HZ/10 and retries");
                }
                return 0;
            case ReaperPc.Check when _variant.Guard == ReaperGuard.MmUsers:
                if (s.Users == 0)
                {
                    // 4.13: mmget_not_zero() fails; the attempt still counts as a success.
                    s.Readers &= ~KernelState.ReaderR;
                    ReleaseOomLockIfHeld(ref s);
                    s.RPc = ReaperPc.GiveUp;
                    x?.Say("mm_users is 0: bails out, counted as success");
                    return 0;
                }
                if (_variant.ReaperPinsUsers)
                {
                    s.Users++;
                    x?.Say("pins mm_users");
                }
                s.Flags |= MmFlags.Unstable;
                s.RPc = ReaperPc.ReadVma1;
                return 0;
            case ReaperPc.Check:
                if (skip)
                {
                    s.Readers &= ~KernelState.ReaderR;
                    ReleaseOomLockIfHeld(ref s);
                    s.RPc = ReaperPc.GiveUp;
                    x?.Say("OOM_SKIP set: exit_mmap owns the mm, bails out");
                    return 0;
                }
                s.Flags |= MmFlags.Unstable;
                s.RPc = ReaperPc.ReadVma1;
                return 0;
            case ReaperPc.ReadVma1 or ReaperPc.ZapVma1 or ReaperPc.ReadVma2 or ReaperPc.ZapVma2:
            {
                int broken = WalkStep(ref s, s.RPc - ReaperPc.ReadVma1, "R", x, out bool finished);
                s.RPc = finished ? ReaperPc.Unlock : s.RPc + 1;
                return broken;
            }
            case ReaperPc.Unlock:
                s.Readers &= ~KernelState.ReaderR;
                if (_variant.Guard == ReaperGuard.MmUsers)
                {
                    s.RPc = ReaperPc.MmputAsync;
                }
                else
                {
                    ReleaseOomLockIfHeld(ref s);
                    s.RPc = ReaperPc.GiveUp;
                }
                return 0;
            case ReaperPc.MmputAsync:
                ReleaseOomLockIfHeld(ref s);
                s.RPc = ReaperPc.GiveUp;
                return DropUser(ref s, MmputRunner.W, x);
            case ReaperPc.GiveUp:
                if (s.RAttempts >= _maxRetries && !skip)
                {
                    s.RGaveUp = true;
                    x?.Say("gives up without reaping");
                }
                s.Flags |= MmFlags.OomSkip;
                s.RAttempts = 0;
                s.RPc = ReaperPc.Idle;
                return 0;
            default:
                throw new InvalidOperationException($"model: no reaper step at {s.RPc}");
        }
    }

    private static void ReleaseOomLockIfHeld(ref KernelState s)
    {
        if (s.OomLock == OomLockOwner.R)
        {
            s.OomLock = OomLockOwner.None;
        }
    }

    /// <summary>
    /// One step of __oom_reap_task_mm()'s walk over two VMAs: 0 read vma1 from the list head, 1 zap vma1's page
    /// tables, 2 follow vma1->vm_next, 3 zap vma2. An Empty list ends the walk at once (nothing to reap).
    /// </summary>
    private static int WalkStep(ref KernelState s, int phase, string walker, StepExplanation? x, out bool finished)
    {
        finished = false;
        switch (phase)
        {
            case 0:
                if (s.VmaList == VmaListState.Empty)
                {
                    finished = true;
                    x?.Say("no VMAs left: nothing to reap");
                    return Access(in s, vmas: false, pgtables: false, walker, x);
                }
                if (s.VmaList == VmaListState.Stale && !s.StructFreed)
                {
                    // mm->mmap was never reset: the list head still points at the VMAs remove_vma() freed.
                    x?.Break(S1, walker == "U" ? "5" : s.Runner == MmputRunner.H ? "2b" : "2", walker == "U"
                        ? "process_mrelease follows the stale mm->mmap to VMAs that remove_vma() has freed"
                        : "the oom_reaper follows the stale mm->mmap to VMAs that remove_vma() has freed");
                    return 1 << S1;
                }
                return Access(in s, vmas: true, pgtables: false, walker, x);
            case 1:
            case 3:
            {
                int broken = Access(in s, vmas: true, pgtables: true, walker, x);
                s.Anon &= phase == 1 ? ~1 : ~2;
                finished = phase == 3;
                return broken;
            }
            default:
                return Access(in s, vmas: true, pgtables: false, walker, x);
        }
    }

    /// <summary>One step of the userspace killer: pidfd_send_signal(SIGKILL), then process_mrelease() (C.3).</summary>
    private int MreleaseStep(ref KernelState s, StepExplanation? x)
    {
        bool skip = (s.Flags & MmFlags.OomSkip) != 0;
        switch (s.UPc)
        {
            case MreleasePc.Kill:
                s.VKilled = true;
                s.UPc = MreleasePc.Find;
                return 0;
            case MreleasePc.Find:
                if (!s.AnyThreadHasMm)
                {
                    s.UResult = MreleaseResult.Esrch;
                    s.UPc = MreleasePc.Done;
                    x?.Say("ESRCH: no thread of V has an mm");
                    return 0;
                }
                s.Count++;
                if (s.VKilled && !skip)
                {
                    s.UPc = MreleasePc.LockRead;
                    x?.Say("mmgrab; task_will_free_mem: reap");
                }
                else
                {
                    s.UResult = skip ? MreleaseResult.Zero : MreleaseResult.Einval;
                    s.UPc = MreleasePc.Drop;
                    x?.Say(skip ? "mmgrab; OOM_SKIP set: returns 0 without reaping" : "mmgrab; not dying: EINVAL");
                }
                return 0;
            case MreleasePc.LockRead:
                if (ReadTrylock(in s))
                {
                    s.Readers |= KernelState.ReaderU;
                    s.UPc = AfterMreleaseLock(ref s);
                }
                else
                {
                    s.Queue = Enqueue(s.Queue, RwsemQueue.U);
                    s.UPc = MreleasePc.WaitRead;
                    x?.Say("blocks behind a writer");
                }
                return 0;
            case MreleasePc.WaitRead:
                s.Queue = Dequeue(s.Queue);
                s.Readers |= KernelState.ReaderU;
                s.UPc = AfterMreleaseLock(ref s);
                return 0;
            case MreleasePc.CheckSkip:
                if (skip)
                {
                    s.UResult = MreleaseResult.Zero;
                    s.UPc = MreleasePc.Unlock;
                    x?.Say("OOM_SKIP set: nothing to do");
                }
                else
                {
                    s.Flags |= MmFlags.Unstable;
                    s.UPc = MreleasePc.ReadVma1;
                }
                return 0;
            case MreleasePc.ReadVma1 or MreleasePc.ZapVma1 or MreleasePc.ReadVma2 or MreleasePc.ZapVma2:
            {
                int broken = WalkStep(ref s, s.UPc - MreleasePc.ReadVma1, "U", x, out bool finished);
                s.UPc = finished ? MreleasePc.Unlock : s.UPc + 1;
                return broken;
            }
            case MreleasePc.Unlock:
                s.Readers &= ~KernelState.ReaderU;
                if (s.UResult == MreleaseResult.None)
                {
                    s.UResult = MreleaseResult.Zero;
                }
                s.UPc = MreleasePc.Drop;
                return 0;
            case MreleasePc.Drop:
            {
                s.UPc = MreleasePc.Done;
                int broken = 0;
                if (s.UResult == MreleaseResult.Zero && s.Anon != 0 && !s.RGaveUp)
                {
                    // "process_mrelease returns 0 => the anon pages are unmapped at return": no variant breaks it (it
                    // returns 0 only after its own walk or once exit_mmap has unmapped). A model bug, not a verdict.
                    throw new InvalidOperationException("model: process_mrelease() returns 0 while anon pages are still mapped");
                }
                return broken | DropCount(ref s, x);
            }
            default:
                throw new InvalidOperationException($"model: no process_mrelease step at {s.UPc}");
        }
    }

    private MreleasePc AfterMreleaseLock(ref KernelState s)
    {
        if (_variant.MreleaseRechecksSkip)
        {
            return MreleasePc.CheckSkip;
        }
        s.Flags |= MmFlags.Unstable;
        return MreleasePc.ReadVma1;
    }
}
