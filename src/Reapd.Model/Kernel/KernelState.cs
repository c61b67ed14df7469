using Reapd.Model.Exploration;

namespace Reapd.Model.Kernel;

/// <summary>
/// One state of the kernel model (docs/kernel.md B.2), unpacked. The explorer only ever stores the packed 128-bit
/// form; a step unpacks, changes fields, and packs again.
/// </summary>
internal struct KernelState
{
    // The mm_struct.
    public int Users;               // mm_users
    public int Count;               // mm_count: 1 for all users together, +1 signal->oom_mm, +1 per mmgrab
    public WriterHolder Writer;     // holder of mmap_sem for writing
    public int Readers;             // bit set of ReaderR, ReaderU, ReaderX
    public RwsemQueue Queue;
    public MmFlags Flags;
    public bool VmasFreed;
    public VmaListState VmaList;
    public bool PgtablesFreed;
    public int Anon;                // bit 0: vma1's page still mapped, bit 1: vma2's
    public bool StructFreed;
    public bool AioInflight;

    // The victim V (signal_struct and its threads).
    public bool VMm;                // V's main thread still has task->mm
    public bool VOomMm;             // signal->oom_mm set: V is an OOM victim
    public bool VKilled;
    public VictimPc VPc;
    public ThreadPc T2Pc;

    public HolderPc HPc;
    public WorkerPc WPc;

    // The __mmput() path of whoever dropped the last mm_users reference.
    public MmputRunner Runner;
    public ExitPc ExitPc;
    public bool MmputStarted;

    public AllocatorPc A1Pc;
    public AllocatorPc A2Pc;
    public OomLockOwner OomLock;
    public bool V2Killed;

    public ReaperPc RPc;
    public int RAttempts;
    public bool RQueued;
    public bool RTimer;
    public bool RGaveUp;

    public MreleasePc UPc;
    public MreleaseResult UResult;

    public const int ReaderR = 1;
    public const int ReaderU = 2;
    public const int ReaderX = 4;

    public readonly bool Thread2HasMm => T2Pc is ThreadPc.BlockedHoldingWrite or ThreadPc.HoldsWrite or ThreadPc.Alive;

    /// <summary>find_lock_task_mm(V): some thread of V still has its mm.</summary>
    public readonly bool AnyThreadHasMm => VMm || Thread2HasMm;

    public readonly UInt128 Pack()
    {
        var w = new BitWriter();
        w.Put(Users, 3);
        w.Put(Count, 3);
        w.Put((int)Writer, 2);
        w.Put(Readers, 3);
        w.Put((int)Queue, 3);
        w.Put((int)Flags, 3);
        w.Put(VmasFreed);
        w.Put((int)VmaList, 2);
        w.Put(PgtablesFreed);
        w.Put(Anon, 2);
        w.Put(StructFreed);
        w.Put(AioInflight);
        w.Put(VMm);
        w.Put(VOomMm);
        w.Put(VKilled);
        w.Put((int)VPc, 2);
        w.Put((int)T2Pc, 3);
        w.Put((int)HPc, 3);
        w.Put((int)WPc, 2);
        w.Put((int)Runner, 3);
        w.Put((int)ExitPc, 4);
        w.Put(MmputStarted);
        w.Put((int)A1Pc, 3);
        w.Put((int)A2Pc, 3);
        w.Put((int)OomLock, 2);
        w.Put(V2Killed);
        w.Put((int)RPc, 4);
        w.Put(RAttempts, 4);
        w.Put(RQueued);
        w.Put(RTimer);
        w.Put(RGaveUp);
        w.Put((int)UPc, 4);
        w.Put((int)UResult, 2);
        return w.Value;
    }

    public static KernelState Unpack(UInt128 packed)
    {
        var r = new BitReader(packed);
        return new KernelState
        {
            Users = r.Take(3),
            Count = r.Take(3),
            Writer = (WriterHolder)r.Take(2),
            Readers = r.Take(3),
            Queue = (RwsemQueue)r.Take(3),
            Flags = (MmFlags)r.Take(3),
            VmasFreed = r.TakeBool(),
            VmaList = (VmaListState)r.Take(2),
            PgtablesFreed = r.TakeBool(),
            Anon = r.Take(2),
            StructFreed = r.TakeBool(),
            AioInflight = r.TakeBool(),
            VMm = r.TakeBool(),
            VOomMm = r.TakeBool(),
            VKilled = r.TakeBool(),
            VPc = (VictimPc)r.Take(2),
            T2Pc = (ThreadPc)r.Take(3),
            HPc = (HolderPc)r.Take(3),
            WPc = (WorkerPc)r.Take(2),
            Runner = (MmputRunner)r.Take(3),
            ExitPc = (ExitPc)r.Take(4),
            MmputStarted = r.TakeBool(),
            A1Pc = (AllocatorPc)r.Take(3),
            A2Pc = (AllocatorPc)r.Take(3),
            OomLock = (OomLockOwner)r.Take(2),
            V2Killed = r.TakeBool(),
            RPc = (ReaperPc)r.Take(4),
            RAttempts = r.Take(4),
            RQueued = r.TakeBool(),
            RTimer = r.TakeBool(),
            RGaveUp = r.TakeBool(),
            UPc = (MreleasePc)r.Take(4),
            UResult = (MreleaseResult)r.Take(2),
        };
    }
}
