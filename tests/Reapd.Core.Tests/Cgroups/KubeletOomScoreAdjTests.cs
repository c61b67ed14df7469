using Reapd.Core.Cgroups;

namespace Reapd.Core.Tests.Cgroups;

public sealed class KubeletOomScoreAdjTests
{
    private const long Capacity = 16_000_000_000; // a round figure, so that a tenth is a whole number of bytes

    [Theory]
    [InlineData(0L, 999)]                  // no request: 1000, lowered below best effort
    [InlineData(Capacity / 10, 900)]
    [InlineData(Capacity / 2, 500)]
    [InlineData(Capacity, 3)]               // the whole node: raised to 1000 + (-997)
    [InlineData(Capacity * 2, 3)]
    public void The_kubelet_formula_gives_the_documented_values(long request, int adj) =>
        Assert.Equal(adj, KubeletOomScoreAdj.ForBurstable(request, Capacity));

    [Fact]
    public void The_inverse_lands_within_a_thousandth_of_capacity_for_every_request()
    {
        // Every request on a 1 MiB grid over the node: the formula, then the inverse, is within capacity/1000 (16 MiB).
        for (long request = 0; request <= Capacity; request += 1L << 20)
        {
            int adj = KubeletOomScoreAdj.ForBurstable(request, Capacity);
            long estimate = KubeletOomScoreAdj.EstimateRequestBytes(adj, Capacity)!.Value;
            Assert.InRange(Math.Abs(estimate - request), 0, adj == KubeletOomScoreAdj.BurstableMin ? Capacity : 2 * Capacity / 1000);
        }
    }

    [Fact]
    public void A_larger_request_never_reads_back_smaller()
    {
        long previous = -1;
        for (int adj = KubeletOomScoreAdj.BurstableMax; adj >= KubeletOomScoreAdj.BurstableMin; adj--)
        {
            long estimate = KubeletOomScoreAdj.EstimateRequestBytes(adj, Capacity)!.Value;
            Assert.True(estimate > previous, $"adj {adj}");
            previous = estimate;
        }
    }

    [Theory]
    [InlineData(1000)]   // best effort
    [InlineData(-997)]   // guaranteed
    [InlineData(-998)]   // a sandbox (pause) or an older guaranteed value
    [InlineData(0)]
    [InlineData(2)]
    public void Values_outside_the_burstable_range_give_no_request(int adj) =>
        Assert.Null(KubeletOomScoreAdj.EstimateRequestBytes(adj, Capacity));
}
