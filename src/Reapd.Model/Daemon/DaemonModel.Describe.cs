using System.Globalization;
using Reapd.Core.Daemon;

namespace Reapd.Model.Daemon;

internal sealed partial class DaemonModel
{
    public override void Describe(UInt128 state, List<KeyValuePair<string, string>> into)
    {
        ArgumentNullException.ThrowIfNull(into);
        DaemonWorld w = _states[(int)state];
        void Add(string key, string value) => into.Add(new KeyValuePair<string, string>(key, value));
        static string N(int n) => n.ToString(CultureInfo.InvariantCulture);

        Add("avail", N(Available(w)) + (w.LagAvailable != Available(w) ? $" (was {N(w.LagAvailable)})" : ""));
        Add("A", Proc(w.A) + (w.ATermed ? "+SIGTERMed" : ""));
        Add("mm", w.Mm switch
        {
            MmPc.Live => "live",
            MmPc.Teardown => "exit_mmap",
            MmPc.AioBlocked => "stuck in exit_aio",
            _ => "freed",
        } + (w.Mm == MmPc.Freed ? "" : $" anon {N(w.MmAnon)} shmem {N(w.MmShmem)}"));
        if (w.Vfork)
        {
            Add("V", Proc(w.V) + (w.V != ProcPc.Absent && !w.VShares ? " (exec'd)" : ""));
        }
        Add("B", Proc(w.B) + " " + N(w.BUnits));
        Add("C", Proc(w.C));
        Add("N", Proc(w.N));
        Add("reaper", w.Reaper switch
        {
            ReaperThreadPc.Idle => "idle",
            ReaperThreadPc.Busy => $"mrelease({Processes.Name(w.ReapTarget)}){(w.ReaperBlocked ? " blocked forever" : "")}",
            _ => $"answered {w.ReapAnswer}",
        });
        Add("loop", w.Loop.ToString() + (w.Pidfd >= 0 ? " pidfd=" + Processes.Name(w.Pidfd) : "") + (w.Sharers != 0 ? " sharers=" + Mask(w.Sharers) : ""));
        CoreSnapshot c = w.Core;
        Add("core", c.Phase == VictimPhase.None && c.Pending == Core.Decision.PendingAction.None
            ? "idle"
            : $"{c.Phase} {Processes.Name(c.Victim)}{(c.Pending != Core.Decision.PendingAction.None ? " awaiting " + c.Pending : "")} reap={c.Reap}" +
              $"{(c.VictimExited ? " exited" : "")} sharers={N(c.LiveSharers)} held={N(c.HeldUnits)}");
        if (c.Phase != VictimPhase.None)
        {
            Add("ages", $"term {N(c.TermSentAge)} kill {N(c.KillSentAge)} reap-asked {N(c.ReapAskedAge)} progress {N(c.ProgressAtAge)}");
        }
        if (c.Exclusions != 0)
        {
            Add("excluded", Mask(c.Exclusions));
        }
        Add("previous", w.PrevVictim < 0 ? "none" : $"{Processes.Name(w.PrevVictim)} ({w.PrevRelease})");
    }

    private static string Proc(ProcPc pc) => pc switch
    {
        ProcPc.Absent => "absent",
        ProcPc.Running => "running",
        ProcPc.Dying => "dying",
        ProcPc.InMmput => "in __mmput",
        ProcPc.Zombie => "exited",
        _ => "reaped",
    };
}
