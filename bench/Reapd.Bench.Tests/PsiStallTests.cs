using Reapd.Bench.Swap;

namespace Reapd.Bench.Tests;

public class PsiStallTests
{
    private const string Pressure = "some avg10=1.50 avg60=0.40 avg300=0.10 total=7776527\nfull avg10=0.90 avg60=0.20 avg300=0.05 total=3830160\n";

    [Fact]
    public void Both_totals_are_read_from_a_pressure_file()
    {
        Assert.Equal(new PsiTotals(7776527, 3830160), PsiTotals.Parse(Pressure));
    }

    [Fact]
    public void A_file_without_a_full_line_is_not_read()
    {
        // /proc/pressure/cpu had no "full" line before 5.13: such a file is not a memory pressure reading.
        Assert.Null(PsiTotals.Parse("some avg10=0.00 avg60=0.00 avg300=0.00 total=12\n"));
        Assert.Null(PsiTotals.Parse("some avg10=0.00 total=x\nfull avg10=0.00 total=3\n"));
    }

    [Fact]
    public void The_machines_own_pressure_file_parses_and_its_counters_never_go_back()
    {
        Assert.SkipUnless(File.Exists("/proc/pressure/memory"), "this kernel has no PSI (CONFIG_PSI, or psi=0 on its command line)");
        var first = PsiTotals.Parse(File.ReadAllText("/proc/pressure/memory"));
        var second = PsiTotals.Parse(File.ReadAllText("/proc/pressure/memory"));
        Assert.NotNull(first);
        Assert.NotNull(second);
        Assert.True(second.Value.SomeUs >= first.Value.SomeUs && second.Value.FullUs >= first.Value.FullUs);
        // "full" time is time in which every non-idle task stalled, which is always also "some" time.
        Assert.True(first.Value.FullUs <= first.Value.SomeUs);
    }

    [Fact]
    public void The_stall_of_an_incident_is_the_counters_growth_between_its_ends()
    {
        PsiSample[] series =
        [
            new(10.0, new PsiTotals(1_000_000, 500_000)),
            new(10.5, new PsiTotals(1_000_000, 500_000)),
            new(11.0, new PsiTotals(1_400_000, 800_000)),
            new(12.0, new PsiTotals(2_400_000, 1_700_000)),
            new(13.0, new PsiTotals(2_400_000, 1_700_000)),
        ];
        // From the reading at the start (10.5) to the last at or before the end (12.0).
        Assert.Equal(1200.0, PsiStall.StallMs(series, 10.5, 12.5, full: true));
        Assert.Equal(1400.0, PsiStall.StallMs(series, 10.5, 12.5, full: false));
        // A window that starts before the first reading counts from the first reading.
        Assert.Equal(1200.0, PsiStall.StallMs(series, 0, 20, full: true));
        // Nothing stalled after 12 s.
        Assert.Equal(0.0, PsiStall.StallMs(series, 12.0, 13.0, full: true));
    }

    [Fact]
    public void A_late_reading_loses_no_stall_inside_the_window()
    {
        // The sampler itself stalled for 3 s in the thrash: one reading, late, still carries all the time counted.
        PsiSample[] series = [new(1.0, new PsiTotals(0, 0)), new(4.2, new PsiTotals(3_100_000, 2_900_000)), new(4.3, new PsiTotals(3_150_000, 2_950_000))];
        Assert.Equal(2950.0, PsiStall.StallMs(series, 1.0, 5.0, full: true));
    }

    [Fact]
    public void Too_few_readings_or_a_counter_that_went_back_give_no_figure()
    {
        Assert.True(double.IsNaN(PsiStall.StallMs([new(1.0, new PsiTotals(5, 5))], 0, 2, full: true)));
        PsiSample[] reset = [new(1.0, new PsiTotals(9_000, 9_000)), new(2.0, new PsiTotals(10, 10))];
        Assert.True(double.IsNaN(PsiStall.StallMs(reset, 1.0, 2.0, full: true)));
        Assert.True(double.IsNaN(PsiStall.StallMs(reset, 2.0, 1.0, full: true)));
    }

    [Fact]
    public void The_cumulative_series_starts_at_zero()
    {
        PsiSample[] series = [new(1.0, new PsiTotals(100_000, 50_000)), new(2.0, new PsiTotals(300_000, 150_000))];
        Assert.Equal([0.0, 100.0], PsiStall.CumulativeMs(series, full: true));
        Assert.Equal([0.0, 200.0], PsiStall.CumulativeMs(series, full: false));
    }
}
