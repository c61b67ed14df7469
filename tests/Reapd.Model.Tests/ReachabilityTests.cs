using Reapd.Model.Exploration;
using Reapd.Model.Kernel;

namespace Reapd.Model.Tests;

/// <summary>
/// A safe verdict means something only if the explorer reaches the dangerous interleavings: these tests search the
/// same state space for them, so a model that silently serializes the actors fails here instead of passing vacuously.
/// </summary>
public sealed class ReachabilityTests
{
    [Fact]
    public void In_the_4_14_protocol_exit_mmap_waits_behind_a_reaper_that_is_walking_and_a_late_reaper_sees_oom_skip()
    {
        var found = Search(ExploredRuns.Of("4.14").Model,
            ("exit_mmap queued on mmap_sem while R walks", s => s.Queue == RwsemQueue.X && (s.Readers & KernelState.ReaderR) != 0 && s.RPc == ReaperPc.ZapVma1),
            ("R bails on OOM_SKIP after unmap_vmas", s => s.RPc == ReaperPc.GiveUp && s.RAttempts == 0 && (s.Flags & MmFlags.Unstable) == 0 && s.ExitPc >= ExitPc.WriteLock),
            ("R reaps while __mmput is stuck in exit_aio", s => s.AioInflight && s.ExitPc == ExitPc.ExitAio && s.Anon == 0),
            ("R's trylock fails while exit_mmap holds the write lock", s => s.Writer == WriterHolder.Exit && s.RAttempts > 0));

        Assert.All(found, f => Assert.True(f.Reached, f.Name));
    }

    [Fact]
    public void In_the_6_x_protocol_the_reapers_and_unmap_vmas_really_run_concurrently()
    {
        var found = Search(ExploredRuns.Of("6.x").Model,
            ("R and exit_mmap both hold the read lock", s => (s.Readers & (KernelState.ReaderR | KernelState.ReaderX)) == (KernelState.ReaderR | KernelState.ReaderX)),
            ("process_mrelease walks while R walks", s => s.UPc is MreleasePc.ZapVma1 or MreleasePc.ZapVma2 && s.RPc is ReaperPc.ZapVma1 or ReaperPc.ZapVma2),
            ("process_mrelease waits behind exit_mmap's write lock", s => s.UPc == MreleasePc.WaitRead && s.Writer == WriterHolder.Exit),
            ("process_mrelease finds no thread with an mm", s => s.UResult == MreleaseResult.Esrch),
            ("the reaper's delay timer is still armed when exit_mmap sets OOM_SKIP", s => s.RTimer && (s.Flags & MmFlags.OomSkip) != 0 && s.Anon == 0));

        Assert.All(found, f => Assert.True(f.Reached, f.Name));
    }

    private static List<(string Name, bool Reached)> Search(IProtocolModel model, params (string Name, Func<KernelState, bool> Holds)[] goals)
    {
        bool[] reached = new bool[goals.Length];
        var seen = new HashSet<UInt128>();
        var queue = new Queue<UInt128>();
        foreach (Scenario scenario in model.Scenarios)
        {
            if (seen.Add(scenario.Initial))
            {
                queue.Enqueue(scenario.Initial);
            }
        }
        byte[] enabled = new byte[model.ActorCount];
        while (queue.Count > 0)
        {
            UInt128 state = queue.Dequeue();
            KernelState s = KernelState.Unpack(state);
            for (int g = 0; g < goals.Length; g++)
            {
                reached[g] |= goals[g].Holds(s);
            }
            int n = model.EnabledActors(state, enabled);
            for (int k = 0; k < n; k++)
            {
                Transition t = model.Apply(state, enabled[k]);
                if (!t.Breaks && seen.Add(t.Next))
                {
                    queue.Enqueue(t.Next);
                }
            }
        }
        return goals.Select((goal, i) => (goal.Name, reached[i])).ToList();
    }
}
