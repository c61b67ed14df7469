using Reapd.Model.Exploration;
using Reapd.Model.Kernel;

namespace Reapd.Model.Userspace;

/// <summary>One state of the reapd model, unpacked; the explorer stores only the packed form.</summary>
internal struct ReapdState
{
    public PidOwner PidOwner;
    public Victim1Pc V1Pc;
    public bool V1Dying;            // SIGKILL pending or exit_group(): it will run do_exit()
    public bool V1HasMm;            // task->mm
    public SharerPc SPc;
    public bool SDying;
    public HolderPc HPc;
    public int Users;
    public bool Anon;               // the victim's anonymous memory is still charged
    public bool AioInflight;
    public MmputHolder Runner;
    public ReapdExitPc ExitPc;
    public bool V2Killed;

    // reapd's victim record.
    public DaemonPc DPc;
    public PidfdTarget Pidfd;
    public bool SharerPidfd;
    public MreleaseResult Mrelease;
    public bool Pending;            // a killed victim that has not settled: the settle gate is closed
    public bool KilledV1;
    public bool Escalated;

    public readonly UInt128 Pack()
    {
        var w = new BitWriter();
        w.Put((int)PidOwner, 2);
        w.Put((int)V1Pc, 3);
        w.Put(V1Dying);
        w.Put(V1HasMm);
        w.Put((int)SPc, 2);
        w.Put(SDying);
        w.Put((int)HPc, 3);
        w.Put(Users, 2);
        w.Put(Anon);
        w.Put(AioInflight);
        w.Put((int)Runner, 2);
        w.Put((int)ExitPc, 2);
        w.Put(V2Killed);
        w.Put((int)DPc, 4);
        w.Put((int)Pidfd, 2);
        w.Put(SharerPidfd);
        w.Put((int)Mrelease, 2);
        w.Put(Pending);
        w.Put(KilledV1);
        w.Put(Escalated);
        return w.Value;
    }

    public static ReapdState Unpack(UInt128 packed)
    {
        var r = new BitReader(packed);
        return new ReapdState
        {
            PidOwner = (PidOwner)r.Take(2),
            V1Pc = (Victim1Pc)r.Take(3),
            V1Dying = r.TakeBool(),
            V1HasMm = r.TakeBool(),
            SPc = (SharerPc)r.Take(2),
            SDying = r.TakeBool(),
            HPc = (HolderPc)r.Take(3),
            Users = r.Take(2),
            Anon = r.TakeBool(),
            AioInflight = r.TakeBool(),
            Runner = (MmputHolder)r.Take(2),
            ExitPc = (ReapdExitPc)r.Take(2),
            V2Killed = r.TakeBool(),
            DPc = (DaemonPc)r.Take(4),
            Pidfd = (PidfdTarget)r.Take(2),
            SharerPidfd = r.TakeBool(),
            Mrelease = (MreleaseResult)r.Take(2),
            Pending = r.TakeBool(),
            KilledV1 = r.TakeBool(),
            Escalated = r.TakeBool(),
        };
    }
}
