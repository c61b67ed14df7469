using Reapd.Model.Exploration;

namespace Reapd.Model.Kernel;

internal sealed partial class KernelModel
{
    /// <summary>One step of __mmput() by its runner: exit_aio(), then exit_mmap() in the variant's order (B.4).</summary>
    private int ExitStep(ref KernelState s, StepExplanation? x)
    {
        ExitMmapProtocol p = _variant.ExitMmap;
        bool oomVictim = (s.Flags & MmFlags.OomVictim) != 0;
        switch (s.ExitPc)
        {
            case ExitPc.ExitAio:
                s.ExitPc = p switch
                {
                    ExitMmapProtocol.WriteLocked => oomVictim ? ExitPc.SelfReap : ExitPc.WriteLock,
                    ExitMmapProtocol.ReadThenWrite => ExitPc.ReadLock,
                    _ => ExitPc.UnmapVmas,
                };
                return 0;
            case ExitPc.ReadLock:
                if (ReadTrylock(in s))
                {
                    s.Readers |= KernelState.ReaderX;
                    s.ExitPc = ExitPc.UnmapVmas;
                }
                else
                {
                    s.Queue = Enqueue(s.Queue, RwsemQueue.X);
                    s.ExitPc = ExitPc.WaitRead;
                    x?.Say("blocks");
                }
                return 0;
            case ExitPc.WaitRead:
                s.Queue = Dequeue(s.Queue);
                s.Readers |= KernelState.ReaderX;
                s.ExitPc = ExitPc.UnmapVmas;
                return 0;
            case ExitPc.UnmapVmas:
                s.Anon = 0;
                s.ExitPc = p switch
                {
                    ExitMmapProtocol.CycleIfCurrentIsVictim => ExitPc.SetSkip,
                    ExitMmapProtocol.CycleIfMmIsVictim or ExitMmapProtocol.CycleRemoved => oomVictim ? ExitPc.SetSkip : ExitPc.FreePgtables,
                    ExitMmapProtocol.ReadThenWrite => ExitPc.ReadUnlock,
                    _ => ExitPc.FreePgtables,
                };
                return 0;
            case ExitPc.ReadUnlock:
                s.Readers &= ~KernelState.ReaderX;
                s.ExitPc = ExitPc.SetSkip;
                return 0;
            case ExitPc.SelfReap:
                // 5.17 exit_mmap(): an OOM victim's exit reaps itself first (__oom_reap_task_mm), without the lock.
                s.Anon = 0;
                s.ExitPc = ExitPc.SetSkip;
                return 0;
            case ExitPc.SetSkip:
                s.Flags |= MmFlags.OomSkip;
                if (p == ExitMmapProtocol.CycleIfCurrentIsVictim)
                {
                    // 4.14 as merged: tsk_is_oom_victim(current), true only in a thread of V.
                    bool currentIsVictim = s.Runner is MmputRunner.V or MmputRunner.T2 && s.VOomMm;
                    s.ExitPc = currentIsVictim ? ExitPc.WriteLock : ExitPc.FreePgtables;
                    x?.Say(currentIsVictim ? "current is the OOM victim: lock cycle" : "current is not an OOM victim: no lock cycle");
                }
                else
                {
                    s.ExitPc = p == ExitMmapProtocol.CycleRemoved ? ExitPc.FreePgtables : ExitPc.WriteLock;
                }
                return 0;
            case ExitPc.WriteLock:
                if (WriteTrylock(in s))
                {
                    s.Writer = WriterHolder.Exit;
                    s.ExitPc = AfterWriteLock(p);
                }
                else
                {
                    s.Queue = Enqueue(s.Queue, RwsemQueue.X);
                    s.ExitPc = ExitPc.WaitWrite;
                    x?.Say("blocks behind the readers");
                }
                return 0;
            case ExitPc.WaitWrite:
                s.Queue = Dequeue(s.Queue);
                s.Writer = WriterHolder.Exit;
                s.ExitPc = AfterWriteLock(p);
                return 0;
            case ExitPc.WriteUnlock:
                s.Writer = WriterHolder.None;
                s.ExitPc = p is ExitMmapProtocol.WriteLocked or ExitMmapProtocol.ReadThenWrite ? ExitPc.Mmdrop : ExitPc.FreePgtables;
                return 0;
            case ExitPc.FreePgtables:
                s.PgtablesFreed = true;
                s.ExitPc = ExitPc.RemoveVma;
                return 0;
            case ExitPc.RemoveVma:
                s.VmasFreed = true;
                s.VmaList = _variant.ResetsVmaList ? VmaListState.Empty : VmaListState.Stale;
                s.ExitPc = p switch
                {
                    ExitMmapProtocol.Unlocked => ExitPc.SetSkipAtEnd,
                    ExitMmapProtocol.WriteLocked or ExitMmapProtocol.ReadThenWrite => ExitPc.WriteUnlock,
                    _ => ExitPc.Mmdrop,
                };
                return 0;
            case ExitPc.SetSkipAtEnd:
                // 4.13 __mmput(): set_bit(MMF_OOM_SKIP) after exit_mmap().
                s.Flags |= MmFlags.OomSkip;
                s.ExitPc = ExitPc.Mmdrop;
                return 0;
            case ExitPc.Mmdrop:
                s.ExitPc = ExitPc.Done;
                MoveRunner(ref s, entering: false);
                return DropCount(ref s, x);
            default:
                throw new InvalidOperationException($"model: no exit step at {s.ExitPc}");
        }
    }

    private static ExitPc AfterWriteLock(ExitMmapProtocol p) => p switch
    {
        ExitMmapProtocol.WriteLocked => ExitPc.UnmapVmas,
        ExitMmapProtocol.ReadThenWrite => ExitPc.FreePgtables,
        _ => ExitPc.WriteUnlock,
    };
}
