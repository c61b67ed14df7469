using System.Numerics;

namespace Reapd.Model.Kernel;

internal sealed partial class KernelModel
{
    public override void Describe(UInt128 state, List<KeyValuePair<string, string>> into)
    {
        ArgumentNullException.ThrowIfNull(into);
        KernelState s = KernelState.Unpack(state);
        void Add(string key, string value) => into.Add(new KeyValuePair<string, string>(key, value));

        Add("users", s.Users.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Add("count", s.StructFreed ? "0 (mm_struct freed)" : s.Count.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Add("mmap_sem", LockText(in s));
        Add("flags", FlagsText(s.Flags));
        Add("vmas", !s.VmasFreed ? "alive" : s.VmaList == VmaListState.Empty ? "freed, list empty" : "freed, list stale");
        Add("pgtables", s.PgtablesFreed ? "freed" : "alive");
        Add("anon", BitOperations.PopCount((uint)s.Anon) + "/2");
        Add("aio", s.AioInflight ? "in flight" : "none");
        Add("V", (s.VPc switch
        {
            VictimPc.Alive => s.VKilled ? "killed" : "running",
            VictimPc.InMmput => "in __mmput",
            _ => "past exit_mm",
        }) + (s.VOomMm ? ", oom victim" : ""));
        if (s.T2Pc != ThreadPc.Absent)
        {
            Add("V.t2", s.T2Pc switch
            {
                ThreadPc.BlockedHoldingWrite => "holds mmap_sem(w), waits for IO",
                ThreadPc.HoldsWrite => "holds mmap_sem(w), IO done",
                ThreadPc.Alive => s.VKilled ? "killed" : "running",
                ThreadPc.InMmput => "in __mmput",
                _ => "past exit_mm",
            });
        }
        if (s.HPc != HolderPc.Absent)
        {
            Add("H", HolderText.Of(s.HPc));
        }
        if (_variant.Guard == ReaperGuard.MmUsers)
        {
            Add("W", s.WPc switch
            {
                WorkerPc.Idle => "idle",
                WorkerPc.InMmput => "in __mmput",
                _ => "done",
            });
        }
        Add("__mmput", s.ExitPc == ExitPc.None ? "not started" : s.ExitPc == ExitPc.Done
            ? "done"
            : _exitStepNames[(int)s.Runner][(int)s.ExitPc] + (ExitStepName(in s) is null ? " (blocked)" : ""));
        Add("A1", s.A1Pc.ToString());
        Add("A2", s.A2Pc.ToString());
        Add("oom_lock", s.OomLock.ToString());
        Add("V2", s.V2Killed ? "killed" : "alive");
        Add("R", ReaperText(in s));
        if (s.UPc != MreleasePc.Absent)
        {
            Add("U", s.UPc + (s.UResult == MreleaseResult.None ? "" : " ret=" + s.UResult));
        }
    }

    private static string LockText(in KernelState s)
    {
        var parts = new List<string>();
        if (s.Writer != WriterHolder.None)
        {
            parts.Add("writer " + (s.Writer == WriterHolder.Exit ? "__mmput" : "V.t2"));
        }
        var readers = new List<string>();
        if ((s.Readers & KernelState.ReaderR) != 0)
        {
            readers.Add("R");
        }
        if ((s.Readers & KernelState.ReaderU) != 0)
        {
            readers.Add("U");
        }
        if ((s.Readers & KernelState.ReaderX) != 0)
        {
            readers.Add("__mmput");
        }
        if (readers.Count > 0)
        {
            parts.Add("readers " + string.Join(",", readers));
        }
        if (s.Queue != RwsemQueue.Empty)
        {
            parts.Add("waiting " + s.Queue switch
            {
                RwsemQueue.X => "__mmput",
                RwsemQueue.U => "U",
                RwsemQueue.XU => "__mmput,U",
                _ => "U,__mmput",
            });
        }
        return parts.Count == 0 ? "free" : string.Join(" ", parts);
    }

    private static string FlagsText(MmFlags flags)
    {
        var parts = new List<string>();
        if ((flags & MmFlags.OomSkip) != 0)
        {
            parts.Add("OOM_SKIP");
        }
        if ((flags & MmFlags.Unstable) != 0)
        {
            parts.Add("UNSTABLE");
        }
        if ((flags & MmFlags.OomVictim) != 0)
        {
            parts.Add("OOM_VICTIM");
        }
        return parts.Count == 0 ? "-" : string.Join("|", parts);
    }

    private string ReaperText(in KernelState s)
    {
        string text = s.RPc switch
        {
            ReaperPc.Idle => "idle",
            ReaperPc.TryLock or ReaperPc.LockOom => $"retry {s.RAttempts}/{_maxRetries}",
            _ => (ReaperStepName(in s) ?? s.RPc.ToString()).Replace("R.", "", StringComparison.Ordinal),
        };
        if (s.RTimer)
        {
            text += ", timer armed";
        }
        if (s.RQueued)
        {
            text += ", V queued";
        }
        if (s.RGaveUp)
        {
            text += ", gave up";
        }
        return text;
    }
}
