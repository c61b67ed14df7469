using Reapd.Model.Exploration;
using Reapd.Model.Kernel;

namespace Reapd.Model.Userspace;

internal sealed partial class ReapdModel
{
    /// <summary>Memory is short while the victim's memory is charged and no second victim freed some.</summary>
    private static bool Pressure(in ReapdState s) => s.Anon && !s.V2Killed;

    /// <summary>
    /// The victim's memory can come back only through the environment: its last mmput() waits in exit_aio() for an IO.
    /// Models the settle timeout: timeouts are long against an exit that makes progress, so the timer may fire only
    /// when the exit cannot progress by itself (kernel.md D.4, "stuck in __mmput").
    /// </summary>
    private static bool Stuck(in ReapdState s) => s.Anon && s.ExitPc == ReapdExitPc.ExitAio && s.AioInflight;

    private bool SettleReady(in ReapdState s)
    {
        if (!s.Anon || Stuck(in s))
        {
            return true;
        }
        // The broken gate mistakes "no thread has an mm" or "the process exited" for "the memory is back".
        return _variant == ReapdVariant.BrokenSettleGate
            && (s.Mrelease == MreleaseResult.Esrch || s.V1Pc is Victim1Pc.Zombie or Victim1Pc.Reaped);
    }

    protected override string? StepName(in ReapdState s, int actor) => actor switch
    {
        D => s.DPc switch
        {
            DaemonPc.Idle when Pressure(in s) && !s.Pending => "D.select",
            DaemonPc.OpenPidfd => "D.pidfd_open",
            DaemonPc.Verify => "D.verify_starttime",
            DaemonPc.FindSharers => "D.find_mm_sharers",
            DaemonPc.Kill => "D.pidfd_send_signal",
            DaemonPc.KillSharers => "D.kill_sharers",
            DaemonPc.Mrelease => "D.process_mrelease",
            DaemonPc.Settle when SettleReady(in s) => "D.settle",
            DaemonPc.KillV2 => "D.kill_V2",
            _ => null,
        },
        V1 => s.V1Pc switch
        {
            Victim1Pc.Alive when s.V1Dying => "V1.exit_mm",
            Victim1Pc.InMmput => ExitStepName(in s, "V1.exit_aio", "V1.exit_mmap"),
            Victim1Pc.Exiting => "V1.exit_notify",
            _ => null,
        },
        S => s.SPc switch
        {
            SharerPc.Alive when s.SDying => "S.exit_mm",
            SharerPc.InMmput => ExitStepName(in s, "S.exit_aio", "S.exit_mmap"),
            _ => null,
        },
        H => s.HPc switch
        {
            HolderPc.Idle => "H.get_task_mm",
            HolderPc.Holding => "H.mmput",
            HolderPc.InMmput => ExitStepName(in s, "H.exit_aio", "H.exit_mmap"),
            _ => null,
        },
        Self => s.V1Pc == Victim1Pc.Alive && !s.V1Dying ? "Self.exit_group" : null,
        Parent => s.V1Pc == Victim1Pc.Zombie ? "Parent.waitpid" : null,
        N => s.PidOwner == PidOwner.None ? "N.fork_reuses_pid" : null,
        IO => s.AioInflight ? "IO.complete" : null,
        _ => null,
    };

    private static string? ExitStepName(in ReapdState s, string exitAio, string exitMmap) => s.ExitPc switch
    {
        ReapdExitPc.ExitAio when !s.AioInflight => exitAio,
        ReapdExitPc.ExitMmap => exitMmap,
        _ => null,
    };

    protected override int Step(ref ReapdState s, int actor, StepExplanation? x)
    {
        switch (actor)
        {
            case D:
                return DaemonStep(ref s, x);
            case V1:
                switch (s.V1Pc)
                {
                    case Victim1Pc.Alive:
                        s.V1HasMm = false;
                        s.V1Pc = Victim1Pc.Exiting;
                        DropUser(ref s, MmputHolder.V1, x);
                        return 0;
                    case Victim1Pc.Exiting:
                        s.V1Pc = Victim1Pc.Zombie;
                        x?.Say("zombie: the pidfd is readable");
                        return 0;
                    default:
                        ExitStep(ref s);
                        return 0;
                }
            case S:
                if (s.SPc == SharerPc.Alive)
                {
                    s.SPc = SharerPc.Done;
                    DropUser(ref s, MmputHolder.S, x);
                }
                else
                {
                    ExitStep(ref s);
                }
                return 0;
            case H:
                switch (s.HPc)
                {
                    case HolderPc.Idle:
                        if (s.V1HasMm)
                        {
                            s.Users++;
                            s.HPc = HolderPc.Holding;
                        }
                        else
                        {
                            s.HPc = HolderPc.Done;
                        }
                        return 0;
                    case HolderPc.Holding:
                        s.HPc = HolderPc.Done;
                        DropUser(ref s, MmputHolder.H, x);
                        return 0;
                    default:
                        ExitStep(ref s);
                        return 0;
                }
            case Self:
                s.V1Dying = true;
                return 0;
            case Parent:
                s.V1Pc = Victim1Pc.Reaped;
                s.PidOwner = PidOwner.None;
                return 0;
            case N:
                s.PidOwner = PidOwner.N;
                return 0;
            case IO:
                s.AioInflight = false;
                return 0;
            default:
                throw new ArgumentOutOfRangeException(nameof(actor));
        }
    }

    private static void DropUser(ref ReapdState s, MmputHolder who, StepExplanation? x)
    {
        if (s.Users == 0)
        {
            throw new InvalidOperationException("model: mm_users below zero");
        }
        s.Users--;
        if (s.Users > 0)
        {
            return;
        }
        s.Runner = who;
        s.ExitPc = ReapdExitPc.ExitAio;
        MoveRunner(ref s, entering: true);
        x?.Say("last mm user: runs __mmput()");
    }

    private static void ExitStep(ref ReapdState s)
    {
        if (s.ExitPc == ReapdExitPc.ExitAio)
        {
            s.ExitPc = ReapdExitPc.ExitMmap;
            return;
        }
        s.Anon = false;
        s.ExitPc = ReapdExitPc.Done;
        MoveRunner(ref s, entering: false);
    }

    /// <summary>Puts the __mmput() runner into __mmput(), or past it (the victim still has exit_notify() to do).</summary>
    private static void MoveRunner(ref ReapdState s, bool entering)
    {
        switch (s.Runner)
        {
            case MmputHolder.V1:
                s.V1Pc = entering ? Victim1Pc.InMmput : Victim1Pc.Exiting;
                break;
            case MmputHolder.S:
                s.SPc = entering ? SharerPc.InMmput : SharerPc.Done;
                break;
            case MmputHolder.H:
                s.HPc = entering ? HolderPc.InMmput : HolderPc.Done;
                break;
        }
    }

    private int DaemonStep(ref ReapdState s, StepExplanation? x)
    {
        switch (s.DPc)
        {
            case DaemonPc.Idle:
                // The selector reads /proc: the biggest candidate is the victim while /proc still lists it as a
                // process (not a zombie) and reapd has not killed it already; otherwise the innocent V2.
                if (s.PidOwner == PidOwner.V1 && s.V1Pc is not (Victim1Pc.Zombie or Victim1Pc.Reaped) && !s.KilledV1)
                {
                    s.DPc = _variant == ReapdVariant.BrokenPidCheck ? DaemonPc.Verify : DaemonPc.OpenPidfd;
                    x?.Say("picks V1, records its start time");
                }
                else
                {
                    s.DPc = DaemonPc.KillV2;
                    x?.Say("picks V2");
                }
                return 0;
            case DaemonPc.OpenPidfd:
                s.Pidfd = s.PidOwner switch
                {
                    PidOwner.V1 => PidfdTarget.V1,
                    PidOwner.N => PidfdTarget.N,
                    _ => PidfdTarget.None,
                };
                if (s.Pidfd == PidfdTarget.None)
                {
                    s.DPc = DaemonPc.Idle;
                    x?.Say("ESRCH: the PID is gone, victim dropped");
                }
                else
                {
                    s.DPc = _variant == ReapdVariant.BrokenPidCheck ? DaemonPc.FindSharers : DaemonPc.Verify;
                }
                return 0;
            case DaemonPc.Verify:
                // /proc/PID/stat field 22 against the start time the selector saw.
                if (s.PidOwner != PidOwner.V1)
                {
                    s.Pidfd = PidfdTarget.None;
                    s.DPc = DaemonPc.Idle;
                    x?.Say("start time differs or PID gone: victim dropped");
                }
                else
                {
                    s.DPc = _variant == ReapdVariant.BrokenPidCheck ? DaemonPc.OpenPidfd : DaemonPc.FindSharers;
                    x?.Say("same process");
                }
                return 0;
            case DaemonPc.FindSharers:
                s.SharerPidfd = s.SPc == SharerPc.Alive && _variant != ReapdVariant.NoSharerKill;
                s.DPc = DaemonPc.Kill;
                x?.Say(s.SharerPidfd ? "kcmp(KCMP_VM) finds S" : "no sharer to kill");
                return 0;
            case DaemonPc.Kill:
            {
                int broken = 0;
                if (s.Pidfd == PidfdTarget.N)
                {
                    broken |= 1 << P1;
                    x?.Break(P1, "pid-reuse", "reapd signals the process that reused the victim's PID");
                }
                else if (s.V1Pc == Victim1Pc.Reaped)
                {
                    x?.Say("ESRCH: the victim is already reaped");
                }
                else
                {
                    s.V1Dying = true;
                    x?.Say("SIGKILL through the pidfd");
                }
                s.Pending = true;
                s.KilledV1 = s.Pidfd == PidfdTarget.V1;
                s.DPc = s.SharerPidfd ? DaemonPc.KillSharers : DaemonPc.Mrelease;
                return broken;
            }
            case DaemonPc.KillSharers:
                s.SDying = true;
                s.DPc = DaemonPc.Mrelease;
                return 0;
            case DaemonPc.Mrelease:
                s.Mrelease = Mrelease(in s);
                if (s.Mrelease == MreleaseResult.Zero)
                {
                    s.Anon = false;
                }
                s.DPc = DaemonPc.Settle;
                x?.Say(s.Mrelease switch
                {
                    MreleaseResult.Zero => "0: anon memory freed",
                    MreleaseResult.Esrch => "ESRCH: no thread has the mm",
                    _ => "EINVAL: the mm is shared with a live process",
                });
                return 0;
            case DaemonPc.Settle:
                if (s.Anon && Stuck(in s))
                {
                    s.Escalated = true;
                    x?.Say("memory not back and the exit is stuck in exit_aio: escalates");
                }
                else
                {
                    x?.Say(s.Anon ? "considers the victim settled" : "memory is back: settled");
                }
                s.Pending = false;
                s.Pidfd = PidfdTarget.None;
                s.SharerPidfd = false;
                s.Mrelease = MreleaseResult.None;
                s.DPc = DaemonPc.Idle;
                return 0;
            case DaemonPc.KillV2:
            {
                int broken = 0;
                if (s.KilledV1 && s.Anon && !s.Escalated)
                {
                    broken |= 1 << P2;
                    x?.Break(P2, s.V1Pc is Victim1Pc.Zombie or Victim1Pc.Reaped ? "exited" : "esrch",
                        "V2 is killed while the first victim's memory is still coming back");
                }
                s.V2Killed = true;
                s.DPc = DaemonPc.Idle;
                x?.Say("SIGKILL to V2");
                return broken;
            }
            default:
                throw new InvalidOperationException($"model: no reapd step at {s.DPc}");
        }
    }

    /// <summary>process_mrelease(pidfd, 0) as kernel.md C.3 gives it, reduced to what this model has.</summary>
    private static MreleaseResult Mrelease(in ReapdState s)
    {
        if (s.V1Pc == Victim1Pc.Reaped || !s.V1HasMm)
        {
            return MreleaseResult.Esrch;
        }
        // task_will_free_mem(): dying, and every other process sharing the mm dying too.
        bool sharerLive = s.SPc == SharerPc.Alive && !s.SDying;
        return s.V1Dying && !sharerLive ? MreleaseResult.Zero : MreleaseResult.Einval;
    }
}
