using Reapd.Core.Daemon;

namespace Reapd.Core.Tests.Daemon;

/// <summary>
/// What a victim freed onto the kernel's per-CPU lists, counted back into available memory
/// (docs/kernel.md, "Pages on the per-CPU lists are free to neither"): only the lists' growth since the signal, never
/// more than the victim held, only around a kill, and only while free memory is above the low watermarks.
/// </summary>
public sealed class PerCpuListCreditTests
{
    private const long MiB = 1L << 20;

    // Free memory well above the low watermarks, as at a kill line of a few per cent on a large machine.
    private const long Free = 1200 * MiB;
    private const long Low = 90 * MiB;

    [Fact]
    public void Without_a_victim_nothing_is_added_and_the_lists_are_not_needed()
    {
        var credit = new PerCpuListCredit();
        Assert.False(credit.Active);
        Assert.Equal(0, credit.Credit(900 * MiB, Free, Low, 0));
    }

    [Fact]
    public void Only_the_growth_since_the_signal_counts_not_what_the_lists_held_before()
    {
        var credit = new PerCpuListCredit();
        credit.Begin(218 * MiB, heldBytes: 308 * MiB, newVictim: true);
        Assert.True(credit.Active);
        Assert.Equal(0, credit.Credit(218 * MiB, Free, Low, 1));
        Assert.Equal(290 * MiB, credit.Credit(508 * MiB, Free, Low, 2));
    }

    [Fact]
    public void The_credit_never_exceeds_what_the_victim_held()
    {
        var credit = new PerCpuListCredit();
        credit.Begin(10 * MiB, heldBytes: 100 * MiB, newVictim: true);
        Assert.Equal(100 * MiB, credit.Credit(500 * MiB, Free, Low, 1));
    }

    [Fact]
    public void Nothing_is_counted_while_free_memory_is_at_or_below_the_low_watermarks_and_the_credit_waits()
    {
        // There the kernel reclaims, and another CPU's list is drained only after reclaim made progress: the kernel's
        // own OOM killer could run with the credited pages still listed.
        var credit = new PerCpuListCredit();
        credit.Begin(10 * MiB, heldBytes: 300 * MiB, newVictim: true);
        Assert.Equal(0, credit.Credit(310 * MiB, Low, Low, 1));
        Assert.True(credit.Active);
        Assert.Equal(300 * MiB, credit.Credit(310 * MiB, Low + 1, Low, 2));
    }

    [Fact]
    public void Lists_that_shrank_below_their_size_at_the_signal_add_nothing_while_the_victim_is_in_flight()
    {
        var credit = new PerCpuListCredit();
        credit.Begin(200 * MiB, heldBytes: 100 * MiB, newVictim: true);
        Assert.Equal(0, credit.Credit(150 * MiB, Free, Low, 1));
        Assert.True(credit.Active, "in flight, the victim's pages may still come");
        Assert.Equal(30 * MiB, credit.Credit(230 * MiB, Free, Low, 2));
    }

    [Fact]
    public void After_the_victim_settles_the_credit_shrinks_as_the_lists_are_taken_and_ends_when_they_are_back()
    {
        var credit = new PerCpuListCredit();
        credit.Begin(50 * MiB, heldBytes: 300 * MiB, newVictim: true);
        Assert.Equal(300 * MiB, credit.Credit(350 * MiB, Free, Low, 10));
        credit.Released(20);
        Assert.Equal(250 * MiB, credit.Credit(300 * MiB, Free, Low, 1_000));
        Assert.Equal(0, credit.Credit(50 * MiB, Free, Low, 2_000));
        Assert.False(credit.Active);
        // Ended: the lists growing again later is not the victim's memory.
        Assert.Equal(0, credit.Credit(400 * MiB, Free, Low, 3_000));
    }

    [Fact]
    public void After_the_victim_settles_the_credit_lasts_a_bounded_time()
    {
        var credit = new PerCpuListCredit();
        credit.Begin(50 * MiB, heldBytes: 300 * MiB, newVictim: true);
        credit.Released(1_000);
        Assert.Equal(300 * MiB, credit.Credit(350 * MiB, Free, Low, 1_000 + PerCpuListCredit.LastsAfterReleaseMs - 1));
        Assert.Equal(0, credit.Credit(350 * MiB, Free, Low, 1_000 + PerCpuListCredit.LastsAfterReleaseMs));
        Assert.False(credit.Active);
    }

    [Fact]
    public void The_end_clock_starts_at_the_first_release_only()
    {
        var credit = new PerCpuListCredit();
        credit.Begin(0, heldBytes: 300 * MiB, newVictim: true);
        credit.Released(0);
        credit.Released(PerCpuListCredit.LastsAfterReleaseMs - 1);
        Assert.Equal(0, credit.Credit(100 * MiB, Free, Low, PerCpuListCredit.LastsAfterReleaseMs));
    }

    [Fact]
    public void A_second_victim_while_the_first_ones_pages_are_still_listed_keeps_the_first_base_and_adds_its_own_bound()
    {
        var credit = new PerCpuListCredit();
        credit.Begin(100 * MiB, heldBytes: 200 * MiB, newVictim: true);
        Assert.Equal(200 * MiB, credit.Credit(300 * MiB, Free, Low, 10));
        credit.Released(20);
        // The second kill's base would be 300 MiB: taken anew, the first victim's 200 MiB still listed would vanish
        // from the reading and could look like a need for a third victim.
        credit.Begin(300 * MiB, heldBytes: 150 * MiB, newVictim: true);
        Assert.Equal(200 * MiB, credit.Credit(300 * MiB, Free, Low, 30));
        Assert.Equal(350 * MiB, credit.Credit(500 * MiB, Free, Low, 40));
        // In flight again: lists back at the first base do not end it.
        Assert.Equal(0, credit.Credit(100 * MiB, Free, Low, 50));
        Assert.True(credit.Active);
    }

    [Fact]
    public void An_escalation_after_the_lists_were_taken_lowers_the_base_and_raises_the_bound_to_what_the_victim_holds_now()
    {
        var credit = new PerCpuListCredit();
        // SIGTERM with 200 MiB listed; during the grace allocations take 150 MiB of them.
        credit.Begin(200 * MiB, heldBytes: 300 * MiB, newVictim: true);
        // SIGKILL: the base follows the lists down, so the victim's 300 MiB freed onto them count whole; the victim grew.
        credit.Begin(50 * MiB, heldBytes: 400 * MiB, newVictim: false);
        Assert.Equal(350 * MiB, credit.Credit(400 * MiB, Free, Low, 1));
        Assert.Equal(400 * MiB, credit.Credit(500 * MiB, Free, Low, 2));
    }

    [Fact]
    public void Lists_that_cannot_be_read_start_no_credit_and_end_a_running_one()
    {
        var credit = new PerCpuListCredit();
        credit.Begin(-1, heldBytes: 300 * MiB, newVictim: true);
        Assert.False(credit.Active);

        credit.Begin(10 * MiB, heldBytes: 300 * MiB, newVictim: true);
        Assert.Equal(0, credit.Credit(-1, Free, Low, 1));
        Assert.False(credit.Active);
        Assert.Equal(0, credit.Credit(200 * MiB, Free, Low, 2));
    }

    [Fact]
    public void Ending_a_credit_forgets_its_base()
    {
        var credit = new PerCpuListCredit();
        credit.Begin(10 * MiB, heldBytes: 1 * MiB, newVictim: true);
        credit.End();
        Assert.False(credit.Active);
        credit.Begin(300 * MiB, heldBytes: 100 * MiB, newVictim: true);
        Assert.Equal(0, credit.Credit(300 * MiB, Free, Low, 1));
        Assert.Equal(100 * MiB, credit.Credit(450 * MiB, Free, Low, 2));
    }
}
