namespace Reapd.Bench.Tests;

public class StatsTests
{
    [Fact]
    public void The_median_of_an_odd_count_is_the_middle_value_and_of_an_even_count_the_mean_of_the_two()
    {
        Assert.Equal(3, Stats.Median([5, 1, 3]));
        Assert.Equal(2.5, Stats.Median([4, 1, 3, 2]));
    }

    [Fact]
    public void Missing_values_are_left_out_and_said()
    {
        Assert.Equal("20 (10–30) [3 of 4]", Stats.MedianRange([30, double.NaN, 10, 20]));
    }

    [Fact]
    public void No_value_at_all_is_a_dash_and_one_value_stands_alone()
    {
        Assert.Equal("—", Stats.MedianRange([double.NaN, double.NaN]));
        Assert.Equal("7", Stats.MedianRange([7]));
    }
}
