using Reapd.Model.Kernel;

namespace Reapd.Model.Userspace;

internal sealed partial class ReapdModel
{
    public override void Describe(UInt128 state, List<KeyValuePair<string, string>> into)
    {
        ArgumentNullException.ThrowIfNull(into);
        ReapdState s = ReapdState.Unpack(state);
        void Add(string key, string value) => into.Add(new KeyValuePair<string, string>(key, value));

        Add("pid", s.PidOwner switch
        {
            PidOwner.V1 => "V1",
            PidOwner.N => "reused by N",
            _ => "free",
        });
        Add("V1", s.V1Pc switch
        {
            Victim1Pc.Alive => s.V1Dying ? "dying" : "running",
            Victim1Pc.InMmput => "in __mmput",
            Victim1Pc.Exiting => "past exit_mm",
            Victim1Pc.Zombie => "zombie (pidfd readable)",
            _ => "reaped",
        });
        if (s.SPc != SharerPc.Absent)
        {
            Add("S", s.SPc switch
            {
                SharerPc.Alive => s.SDying ? "dying" : "running",
                SharerPc.InMmput => "in __mmput",
                _ => "past exit_mm",
            });
        }
        if (s.HPc != HolderPc.Absent)
        {
            Add("H", HolderText.Of(s.HPc));
        }
        Add("users", s.Users.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Add("memory", s.Anon ? "charged" : "back");
        Add("aio", s.AioInflight ? "in flight" : "none");
        Add("__mmput", s.ExitPc switch
        {
            ReapdExitPc.None => "not started",
            ReapdExitPc.ExitAio => s.Runner + ".exit_aio" + (s.AioInflight ? " (blocked)" : ""),
            ReapdExitPc.ExitMmap => s.Runner + ".exit_mmap",
            _ => "done",
        });
        Add("D", s.DPc.ToString());
        Add("pidfd", s.Pidfd.ToString());
        Add("mrelease", s.Mrelease.ToString());
        Add("gate", s.Pending ? "closed (victim in flight)" : s.Escalated ? "open (escalated)" : "open");
        Add("V2", s.V2Killed ? "killed" : "alive");
    }
}
