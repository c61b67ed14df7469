using Reapd.Core.Selection;
using Reapd.Testing;

namespace Reapd.Core.Tests.Selection;

/// <summary>The actuator's per-scan lookup of rule outcomes by process identity (<see cref="CandidatePidIndex"/>).</summary>
public sealed class CandidatePidIndexTests
{
    [Fact]
    public void Every_lookup_agrees_with_a_walk_of_the_ranking_including_reused_pids()
    {
        var random = new Random(12);
        var ranked = new Candidate[1500];
        for (int i = 0; i < ranked.Length; i++)
        {
            // Pids drawn from a small range so that many repeat with other start times (a pid reused during the scan).
            ranked[i] = new Candidate { Pid = random.Next(1, 900), StartTimeTicks = (ulong)random.Next(1, 4) };
        }
        var index = new CandidatePidIndex(16);
        index.Build(ranked);
        Assert.Equal(ranked.Length, index.Count);
        for (int pid = 0; pid < 1000; pid++)
        {
            for (ulong start = 0; start < 5; start++)
            {
                int found = index.Find(ranked, pid, start);
                int walked = Array.FindIndex(ranked, c => c.Pid == pid && c.StartTimeTicks == start);
                Assert.Equal(walked >= 0, found >= 0);
                if (found >= 0)
                {
                    Assert.Equal(pid, ranked[found].Pid);
                    Assert.Equal(start, ranked[found].StartTimeTicks);
                }
            }
        }
    }

    [Fact]
    public void Every_size_and_order_the_sort_can_meet_finds_every_entry_and_nothing_else()
    {
        // The index sorts with a heapsort of its own (one code path at every size, so the warm-up maps all of it):
        // sizes around every threshold the runtime's sort had (16, partitions), ascending, descending and repeated pids.
        var index = new CandidatePidIndex(1);
        for (int size = 0; size <= 70; size++)
        {
            foreach (Func<int, int> pidAt in new Func<int, int>[] { i => i + 1, i => size - i, i => (i % 5) + 1, i => (i * 37 % 71) + 1 })
            {
                var ranked = new Candidate[size];
                for (int i = 0; i < size; i++)
                {
                    ranked[i] = new Candidate { Pid = pidAt(i), StartTimeTicks = (ulong)i };
                }
                index.Build(ranked);
                for (int i = 0; i < size; i++)
                {
                    Assert.Equal(i, index.Find(ranked, ranked[i].Pid, (ulong)i));
                }
                Assert.Equal(-1, index.Find(ranked, 0, 0));
                Assert.Equal(-1, index.Find(ranked, 100, 0));
                Assert.Equal(-1, index.Find(ranked, 1, (ulong)size + 1));
            }
        }
        Assert.True(CandidatePidIndex.WarmUp(), "the warm-up's own sort and search gave a wrong answer");
    }

    [Fact]
    public void A_ranking_rewritten_without_a_rebuild_gives_misses_not_wrong_entries()
    {
        Candidate[] ranked = [new() { Pid = 10, StartTimeTicks = 5 }, new() { Pid = 20, StartTimeTicks = 6 }];
        var index = new CandidatePidIndex();
        index.Build(ranked);
        Assert.Equal(1, index.Find(ranked, 20, 6));
        ranked[1] = new Candidate { Pid = 30, StartTimeTicks = 6 };
        Assert.Equal(-1, index.Find(ranked, 20, 6));
        Assert.Equal(-1, index.Find(ranked, 30, 6));
        index.Clear();
        Assert.Equal(-1, index.Find(ranked, 10, 5));
    }

    [Fact]
    public void Building_and_looking_up_allocate_nothing_once_grown()
    {
        var ranked = new Candidate[2000];
        for (int i = 0; i < ranked.Length; i++)
        {
            ranked[i] = new Candidate { Pid = (i * 7919) % 4_000_000 + 1, StartTimeTicks = (ulong)i };
        }
        var index = new CandidatePidIndex();
        index.Build(ranked);
        // The rebuild, then every candidate looked up, each lookup measured on its own (ThreadAllocation); a lookup
        // run again looks up the next candidate (round the array).
        Assert.Equal(0, ThreadAllocation.Measure(() => index.Build(ranked)));
        int hits = 0, lookups = 0;
        Assert.Equal(0, ThreadAllocation.Measure(ranked.Length, () =>
        {
            int i = lookups++ % ranked.Length;
            hits += index.Find(ranked, ranked[i].Pid, ranked[i].StartTimeTicks) == i ? 1 : 0;
        }));
        Assert.True(lookups >= ranked.Length);
        Assert.Equal(lookups, hits);
    }
}
