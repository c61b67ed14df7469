using Reapd.Model;
using Reapd.Model.Exploration;

namespace Reapd.Model.Tests;

public sealed class InvariantArmTests
{
    /// <summary>
    /// Every arm of the kernel model's invariant checks (invariant, case label, reason) is reached by some variant;
    /// the checks no variant could reach are model self-checks that throw. A new arm must come with the variant that
    /// reaches it.
    /// </summary>
    [Fact]
    public void Every_kernel_invariant_arm_is_reached_by_some_variant()
    {
        string[] expected =
        [
            "N1 1a V2 is killed while V's anon pages are still mapped: V's exit is stuck in exit_aio(), and OOM_SKIP was set by a reaper that could have freed them and did not (4.13: it bailed out on mm_users == 0)",
            "N1 1a V2 is killed while V, an OOM victim, does not even have OOM_SKIP yet (its exit is stuck in exit_aio())",
            "N1 1b V2 is killed while V's anon pages are still mapped and nothing stops them from being freed: OOM_SKIP was set before the memory was",
            "N1 1b V2 is killed while V, an OOM victim, does not have OOM_SKIP yet: its memory is still coming back",
            "N2 - V2 is killed while V is an OOM victim whose mm lacks OOM_SKIP",
            "S1 2 the oom_reaper follows the stale mm->mmap to VMAs that remove_vma() has freed",
            "S1 2 the oom_reaper reads a VMA that remove_vma() has freed",
            "S1 2 the oom_reaper walks page tables that free_pgtables() has freed",
            "S1 2b the oom_reaper follows the stale mm->mmap to VMAs that remove_vma() has freed",
            "S1 2b the oom_reaper reads a VMA that remove_vma() has freed",
            "S1 2b the oom_reaper walks page tables that free_pgtables() has freed",
            "S1 5 process_mrelease follows the stale mm->mmap to VMAs that remove_vma() has freed",
            "S2 - mm_users dropped below zero",
        ];
        var reached = new SortedSet<string>(StringComparer.Ordinal);
        foreach (VariantSpec spec in VariantCatalogue.Variants)
        {
            if (spec.Name.StartsWith("reapd", StringComparison.Ordinal))
            {
                continue;
            }
            VariantRun run = ExploredRuns.Of(spec.Name);
            foreach (Breach b in run.Result.Breaches)
            {
                reached.Add($"{run.Model.Invariants[b.Invariant].Code} {b.Label} {b.Reason}");
            }
        }

        Assert.Equal(expected, reached);
    }
}
