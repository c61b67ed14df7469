using Reapd.Core.Decision;
using Reapd.Model.Exploration;

namespace Reapd.Model.Daemon;

/// <summary>The kernel and the processes: memory, mm users, exits, PID reuse, the reaper thread's process_mrelease.</summary>
internal sealed partial class DaemonModel
{
    /// <summary>Available memory in units: the total less what nobody in the model can give back and what each mm holds.</summary>
    public static int Available(in DaemonWorld w)
    {
        int baseline = w.ShmemHeavy ? 1 : 2;
        int mm = w.Mm == MmPc.Freed ? 0 : w.MmAnon + w.MmShmem;
        return ModelScale.TotalUnits - baseline - mm - w.BUnits - w.CUnits;
    }

    private static bool HoldsMm(ProcPc pc) => pc is ProcPc.Running or ProcPc.Dying;

    /// <summary>The pidfd is readable: the thread group has exited (zombie, or reaped).</summary>
    private static bool Readable(ProcPc pc) => pc is ProcPc.Zombie or ProcPc.Reaped;

    public static ProcPc Pc(in DaemonWorld w, int slot) => slot switch
    {
        Processes.A => w.A,
        Processes.B => w.B,
        Processes.C => w.C,
        Processes.V => w.V,
        _ => w.N,
    };

    private static void SetPc(ref DaemonWorld w, int slot, ProcPc pc)
    {
        switch (slot)
        {
            case Processes.A: w.A = pc; break;
            case Processes.B: w.B = pc; break;
            case Processes.C: w.C = pc; break;
            case Processes.V: w.V = pc; break;
            default: w.N = pc; break;
        }
    }

    /// <summary>The process uses A's mm (A itself, or V before its exec).</summary>
    public static bool OnVictimMm(in DaemonWorld w, int slot) =>
        slot == Processes.A ? HoldsMm(w.A) : slot == Processes.V && w.VShares && HoldsMm(w.V);

    private static bool MmHasUsers(in DaemonWorld w) => OnVictimMm(w, Processes.A) || OnVictimMm(w, Processes.V);

    /// <summary>Which process holds a PID now (-1: free). A's PID goes to N once A is reaped.</summary>
    private static int PidOwner(in DaemonWorld w, int pid)
    {
        for (int slot = 0; slot < Processes.Count; slot++)
        {
            ProcPc pc = Pc(w, slot);
            if (Processes.PidOf(slot) == pid && pc is not (ProcPc.Absent or ProcPc.Reaped))
            {
                return slot;
            }
        }
        return -1;
    }

    /// <summary>What the process's kill would give back: anonymous memory (the core's HeldBytes measure), and its shmem.</summary>
    private static (int Anon, int Shmem) MemoryOf(in DaemonWorld w, int slot) => slot switch
    {
        _ when !HoldsMm(Pc(w, slot)) => (0, 0),
        Processes.A => (w.MmAnon, w.MmShmem),
        Processes.V when w.VShares => (w.MmAnon, w.MmShmem),
        Processes.B => (w.BUnits, 0),
        Processes.C => (w.CUnits, 0),
        _ => (0, 0),
    };

    /// <summary>
    /// Ground truth for P2: the process's memory will come back without anything more from reapd — its teardown
    /// runs or will run (every user of the mm is dying and none is stuck), or a reap the kernel will complete frees it.
    /// </summary>
    private static bool ComingBack(in DaemonWorld w, int slot)
    {
        if (slot == Processes.A || slot == Processes.V && w.VShares)
        {
            int held = w.Mm == MmPc.Freed ? 0 : w.MmAnon + w.MmShmem;
            if (held == 0 || w.Mm == MmPc.AioBlocked)
            {
                return false;
            }
            if (w.Mm == MmPc.Teardown)
            {
                // Memory that a vfork child reapd never knew of gave back, by its exec or its own exit, comes back by
                // that child's doing, like any other process's exit: no gate waits for it.
                return !w.MmReleasedByUnknown;
            }
            bool someoneRuns = w.A == ProcPc.Running || w.VShares && w.V == ProcPc.Running;
            if (someoneRuns || OnVictimMm(w, Processes.V) && !w.VFound)
            {
                return false;
            }
            bool reapRuns = w.Reaper == ReaperThreadPc.Busy && !w.ReaperBlocked && w.MmAnon > 0 && OnVictimMm(w, w.ReapTarget);
            return w.Exit is ExitKind.Normal or ExitKind.Slow || reapRuns;
        }
        return slot switch
        {
            Processes.B => w.B == ProcPc.Dying && w.BUnits > 0,
            Processes.C => w.C == ProcPc.Dying && w.CUnits > 0,
            _ => false,
        };
    }

    /// <summary>
    /// A (single-threaded) waits in vfork until its child execs or exits: it cannot exit or free memory on its own
    /// meanwhile; only a SIGKILL ends the wait.
    /// </summary>
    private static bool InVfork(in DaemonWorld w) => w.VShares && w.V == ProcPc.Running;

    /// <summary>
    /// The loop is between choosing A for a SIGTERM and sending it. A vfork there (or in the grace) makes a sharer the
    /// gate never hears of: the model leaves it out and docs/model.md describes the gap; a vfork between the search
    /// and a SIGKILL stays in (process_mrelease answers EINVAL and the reaper thread's search finds the child).
    /// </summary>
    private static bool InSigtermPath(in DaemonWorld w) =>
        w.Core.Pending is Core.Decision.PendingAction.ChooseToTerminate
        || w.Core.Pending == Core.Decision.PendingAction.Signal && w.Core.Signal == KillSignal.SigTerm;

    /// <summary>
    /// exit_mm of a dying A or V: it is done (a zombie, its pidfd readable) unless it was the last user of A's mm, in
    /// which case it runs __mmput first. V leaving while reapd knew nothing of it gives the memory back by its doing.
    /// </summary>
    private static void ExitMm(ref DaemonWorld w, int slot, StepExplanation? x)
    {
        SetPc(ref w, slot, ProcPc.Zombie);
        if ((slot == Processes.A || w.VShares) && StartTeardownIfLast(ref w))
        {
            SetPc(ref w, slot, ProcPc.InMmput);
            w.MmReleasedByUnknown = slot == Processes.V && !w.VFound;
            x?.Say(w.Mm == MmPc.AioBlocked ? "last mmput: blocked in exit_aio forever" : "last mmput: exit_mmap runs");
        }
    }

    /// <summary>The last user of A's mm left: its teardown starts (and blocks forever in exit_aio when the scenario says so).</summary>
    private static bool StartTeardownIfLast(ref DaemonWorld w)
    {
        if (w.Mm != MmPc.Live || MmHasUsers(w))
        {
            return false;
        }
        w.Mm = w.Exit == ExitKind.AioStuck ? MmPc.AioBlocked : MmPc.Teardown;
        return true;
    }

    /// <summary>
    /// Work that takes well under a tick: the loop's wake-ups and command steps, the reaper thread's process_mrelease
    /// (unless a writer blocks it), exits past SIGKILL, a normal exit_mmap, a slow one's unit of this tick. The clock
    /// waits for them; what is stuck, blocked or slow is so by its own step or by never being enabled.
    /// </summary>
    private static bool Urgent(in DaemonWorld w)
    {
        for (int actor = 0; actor < Actors; actor++)
        {
            if (actor is D or R or AExit or M or BExit or CExit or VExit or NExit
                && (actor == D ? LoopStepName(w, D) : KernelStepName(w, actor)) is not null)
            {
                return true;
            }
        }
        return false;
    }

    private static string? KernelStepName(in DaemonWorld w, int actor) => actor switch
    {
        T when w.Sampled && !Urgent(w) => "T.tick",
        R when w.Reaper == ReaperThreadPc.Busy && !w.ReaperBlocked => "R.process_mrelease",
        REagain when w.Reaper == ReaperThreadPc.Busy && !w.ReaperBlocked => "R_eagain.retries_run_out",
        W when w.Reaper == ReaperThreadPc.Busy && !w.ReaperBlocked => "W.mm_writer_hangs",
        AExit when w.A == ProcPc.Dying && w.Exit != ExitKind.FuseStuck => "A.exit_mm",
        AExit when w.A == ProcPc.InMmput && w.Mm == MmPc.Freed => "A.exit_notify",
        ASelf when w.A == ProcPc.Running && !InVfork(w) => "A_self.exit",
        AShrink when w.A == ProcPc.Running && !InVfork(w) && w.ATermed && !w.AShrunk && w.MmAnon > 0 => "A_shrink.free_a_unit",
        AFork when w.Vfork && w.A == ProcPc.Running && !w.ATermed && w.V == ProcPc.Absent && !InSigtermPath(w) => "A_vfork.vfork",
        Parent when w.A == ProcPc.Zombie => "Parent.wait",
        NFork when w.A == ProcPc.Reaped && w.N == ProcPc.Absent => "N_fork.takes_the_pid",
        M when w.Mm == MmPc.Teardown && !(w.Exit == ExitKind.Slow && w.MmProgressed) => "M.exit_mmap",
        BExit when w.B == ProcPc.Dying => "B.exit",
        BAlloc when w.B == ProcPc.Running && Available(w) > 0 => "B_alloc.allocate",
        CExit when w.C == ProcPc.Dying => "C.exit",
        VExit when w.V == ProcPc.Dying => "V.exit_mm",
        VExit when w.V == ProcPc.InMmput && w.Mm == MmPc.Freed => "V.exit_notify",
        VExec when w.V == ProcPc.Running && w.VShares => "V_exec.exec",
        VSelf when w.V == ProcPc.Running => "V_self.exit",
        NExit when w.N == ProcPc.Dying => "N.exit",
        _ => null,
    };

    private int KernelStep(ref DaemonWorld w, int actor, StepExplanation? x)
    {
        switch (actor)
        {
            case T:
                Shift(ref w, ModelScale.TickMs);
                w.MmProgressed = false;
                w.Sampled = false;
                return 0;
            case R:
                return Mrelease(ref w, x);
            case REagain:
                Mark(DaemonEvent.ReapFailed);
                Answer(ref w, Core.Daemon.ReapObservation.Failed);
                x?.Say("EAGAIN on every retry: the reaper thread answers failed");
                return 0;
            case W:
                Mark(DaemonEvent.ReaperBlocked);
                w.ReaperBlocked = true;
                x?.Say("a writer holding the mm lock never progresses: process_mrelease waits forever");
                return 0;
            case AExit when w.A == ProcPc.Dying:
                ExitMm(ref w, Processes.A, x);
                return 0;
            case AExit:
                w.A = ProcPc.Zombie;
                return 0;
            case ASelf:
                w.A = ProcPc.Dying;
                return 0;
            case AShrink:
                w.MmAnon--;
                w.AShrunk = true;
                return 0;
            case AFork:
                w.V = ProcPc.Running;
                w.VShares = true;
                return 0;
            case Parent:
                w.A = ProcPc.Reaped;
                return 0;
            case NFork:
                w.N = ProcPc.Running;
                return 0;
            case M:
                if (w.Exit == ExitKind.Slow && w.MmAnon + w.MmShmem > 1)
                {
                    if (w.MmAnon > 0)
                    {
                        w.MmAnon--;
                    }
                    else
                    {
                        w.MmShmem--;
                    }
                    w.MmProgressed = true;
                    return 0;
                }
                w.MmAnon = 0;
                w.MmShmem = 0;
                w.Mm = MmPc.Freed;
                w.MmProgressed = true;
                return 0;
            case BExit:
                w.B = ProcPc.Zombie;
                w.BUnits = 0;
                return 0;
            case BAlloc:
                w.BUnits++;
                return 0;
            case CExit:
                w.C = ProcPc.Zombie;
                w.CUnits = 0;
                return 0;
            case VExit when w.V == ProcPc.Dying:
                ExitMm(ref w, Processes.V, x);
                return 0;
            case VExit:
                w.V = ProcPc.Zombie;
                return 0;
            case VExec:
                w.VShares = false;
                if (StartTeardownIfLast(ref w))
                {
                    w.MmReleasedByUnknown = !w.VFound;
                    x?.Say("the exec dropped the last reference: exit_mmap runs");
                }
                return 0;
            case VSelf:
                w.V = ProcPc.Dying;
                return 0;
            case NExit:
                w.N = ProcPc.Zombie;
                return 0;
            default:
                throw new ModelAbstractionException($"actor {actor} has no kernel step");
        }
    }

    private static void Answer(ref DaemonWorld w, Core.Daemon.ReapObservation observation)
    {
        w.Reaper = ReaperThreadPc.Answered;
        w.ReapAnswer = observation;
        w.ReapRounds = 0;
    }

    /// <summary>
    /// process_mrelease on the pidfd the reaper thread holds (6.x): ESRCH when no thread of it has an mm; EINVAL when
    /// a process using the mm is not dying (then the thread's exhaustive sharer search SIGKILLs those, each still a
    /// sharer at that moment, and reaps again, two rounds at most); otherwise the anonymous memory is unmapped: 0.
    /// </summary>
    private int Mrelease(ref DaemonWorld w, StepExplanation? x)
    {
        int target = w.ReapTarget;
        if (!HoldsMm(Pc(w, target)))
        {
            Mark(DaemonEvent.ReapEsrch);
            Answer(ref w, Core.Daemon.ReapObservation.NoMm);
            x?.Say("ESRCH: no thread holds the mm");
            return 0;
        }
        bool onVictimMm = OnVictimMm(w, target);
        bool someoneRuns = onVictimMm
            ? w.A == ProcPc.Running || w.VShares && w.V == ProcPc.Running
            : Pc(w, target) == ProcPc.Running;
        if (someoneRuns)
        {
            if (w.ReapRounds >= 2 || !onVictimMm)
            {
                Answer(ref w, Core.Daemon.ReapObservation.Refused);
                x?.Say("EINVAL after the sharer rounds: not reaped");
                return 0;
            }
            int broken = 0;
            for (int s = 0; s < Processes.Count; s++)
            {
                if (OnVictimMm(w, s) && Pc(w, s) == ProcPc.Running)
                {
                    broken |= Deliver(ref w, s, KillSignal.SigKill, w.ReapFor, x);
                }
            }
            w.ReapRounds++;
            Mark(DaemonEvent.ReapEinvalRound);
            x?.Say("EINVAL: a live process shares the mm; the reaper thread SIGKILLs it and reaps again");
            return broken;
        }
        switch (target)
        {
            case Processes.A or Processes.V when onVictimMm:
                w.MmAnon = 0;
                break;
            case Processes.B:
                w.BUnits = 0;
                break;
            case Processes.C:
                w.CUnits = 0;
                break;
        }
        Mark(DaemonEvent.ReapReleased);
        Answer(ref w, Core.Daemon.ReapObservation.Released);
        x?.Say("0: the anonymous memory is unmapped");
        return 0;
    }

    /// <summary>
    /// A signal reaches a process. P1: it must be the victim it is meant for, or a process that uses the mm that victim
    /// uses (or used). The first signal to a victim makes it the one P2 watches.
    /// </summary>
    private static int Deliver(ref DaemonWorld w, int slot, KillSignal signal, int victim, StepExplanation? x)
    {
        int broken = 0;
        bool sharesVictimMm = (victim == Processes.A || victim == Processes.V && w.VShares) && OnVictimMm(w, slot);
        if (slot != victim && !sharesVictimMm)
        {
            broken |= 1 << P1;
            x?.Break(P1, slot == Processes.N ? "reused-pid" : slot == Processes.V ? "exec'd-child" : "bystander",
                $"{signal} reached {Processes.Name(slot)}, which is neither the victim {Processes.Name(victim)} nor a process using its mm");
        }
        if (slot == victim && victim != w.PrevVictim)
        {
            w.PrevVictim = (sbyte)victim;
            w.PrevRelease = ReleaseKind.InFlight;
        }
        if (slot == Processes.V)
        {
            w.VFound = true;
        }
        if (signal == KillSignal.SigKill && Pc(w, slot) == ProcPc.Running)
        {
            SetPc(ref w, slot, ProcPc.Dying);
        }
        if (signal == KillSignal.SigTerm && slot == Processes.A)
        {
            w.ATermed = true;
        }
        x?.Say($"{(signal == KillSignal.SigKill ? "SIGKILL" : "SIGTERM")} -> {Processes.Name(slot)}");
        return broken;
    }
}
