using Reapd.Core.Daemon;
using Reapd.Core.Proc;
using Reapd.Testing;

namespace Reapd.Core.Tests.Daemon;

/// <summary>The zram bound on free swap, on mm_stat and /proc/swaps captured in the guests (tests/fixtures/zram).</summary>
public sealed class ZramSwapBoundTests
{
    private const long MiB = 1L << 20;

    private static byte[] Fixture(string name) => File.ReadAllBytes(Path.Combine(NativeProgram.RepositoryRoot, "tests", "fixtures", "zram", name));

    private static SwapDevice HeldDevice(string mmStat)
    {
        var devices = new SwapDevice[4];
        Assert.Equal(1, SwapsParser.TryParse(Fixture("6.12-lz4-held.swaps"), devices));
        Assert.True(SwapsParser.TryParseMmStat(Fixture(mmStat), out devices[0].Zram));
        return devices[0];
    }

    [Fact]
    public void The_captured_files_parse_into_the_device_and_its_memory()
    {
        SwapDevice device = HeldDevice("6.12-lz4-held.mm_stat");
        Assert.Equal(0, device.ZramIndex);
        Assert.Equal(524284, device.SizeKiB);
        Assert.Equal(199588, device.UsedKiB);
        Assert.Equal(204378112, device.Zram.OrigDataBytes);
        Assert.Equal(110370816, device.Zram.MemUsedTotalBytes);
        Assert.Equal(0, device.Zram.MemLimitBytes);
    }

    [Fact]
    public void With_memory_to_spare_free_swap_is_the_free_slots()
    {
        SwapDevice device = HeldDevice("6.12-lz4-held.mm_stat");
        Assert.Equal(device.FreeBytes, ZramSwapBound.DeviceFreeBytes(device, 800 * MiB));
    }

    [Theory]
    [InlineData("6.12-lz4-held.mm_stat")]
    [InlineData("6.1-lzo-rle-held.mm_stat")]
    public void With_memory_low_free_swap_is_what_the_remaining_memory_holds_at_the_measured_ratio(string mmStat)
    {
        SwapDevice device = HeldDevice(mmStat);
        double ratio = (double)device.Zram.OrigDataBytes / device.Zram.MemUsedTotalBytes;
        Assert.InRange(ratio, 1.5, 2.0); // the guests' hog writes 2:1 compressible data; the allocator's overhead shows
        long effective = ZramSwapBound.DeviceFreeBytes(device, 40 * MiB);
        Assert.Equal((long)(40 * MiB * ratio), effective);
        Assert.True(effective < device.FreeBytes / 4, $"{effective} of {device.FreeBytes}");
    }

    [Fact]
    public void With_no_memory_left_zram_swap_has_no_room_however_many_slots_are_free()
    {
        SwapDevice device = HeldDevice("6.12-lz4-held.mm_stat");
        Assert.True(device.FreeBytes > 300 * MiB);
        Assert.Equal(0, ZramSwapBound.DeviceFreeBytes(device, 0));
    }

    [Fact]
    public void A_memory_limit_bounds_the_room_below_what_is_available()
    {
        SwapDevice device = HeldDevice("6.12-lz4-held.mm_stat");
        device.Zram.MemLimitBytes = device.Zram.MemUsedTotalBytes + 10 * MiB;
        double ratio = (double)device.Zram.OrigDataBytes / device.Zram.MemUsedTotalBytes;
        Assert.Equal((long)(10 * MiB * ratio), ZramSwapBound.DeviceFreeBytes(device, 800 * MiB));
        device.Zram.MemLimitBytes = device.Zram.MemUsedTotalBytes; // at its limit: zram refuses every write
        Assert.Equal(0, ZramSwapBound.DeviceFreeBytes(device, 800 * MiB));
    }

    [Fact]
    public void An_empty_device_is_counted_at_the_assumed_ratio()
    {
        var devices = new SwapDevice[1];
        Assert.Equal(1, SwapsParser.TryParse(Fixture("6.12-lz4-held.swaps"), devices));
        devices[0].UsedKiB = 0;
        Assert.True(SwapsParser.TryParseMmStat(Fixture("6.12-lz4-empty.mm_stat"), out devices[0].Zram));
        Assert.Equal((long)(100 * MiB * ZramSwapBound.AssumedRatio), ZramSwapBound.DeviceFreeBytes(devices[0], 100 * MiB));
    }

    [Fact]
    public void A_disk_swap_area_counts_its_free_slots_and_a_blank_in_its_name_does_not_break_the_line()
    {
        var devices = new SwapDevice[4];
        Assert.Equal(2, SwapsParser.TryParse(Fixture("mixed.swaps"), devices));
        Assert.False(devices[0].IsZram);
        Assert.Equal(1048572L * 1024, devices[0].FreeBytes);
        Assert.True(devices[1].IsZram);
        Assert.True(SwapsParser.TryParseMmStat(Fixture("6.12-lz4-held.mm_stat"), out devices[1].Zram));
        Assert.Equal(1048572L * 1024, ZramSwapBound.EffectiveFreeBytes(devices.AsSpan(0, 2), 0));
    }

    [Theory]
    [InlineData("")]
    [InlineData("1 2 3")]
    [InlineData("1 2 x 4 5 6 7 8")]
    [InlineData("-1 2 3 4 5 6 7 8")]
    public void A_malformed_mm_stat_is_refused(string text)
    {
        Assert.False(SwapsParser.TryParseMmStat(System.Text.Encoding.ASCII.GetBytes(text), out _));
    }

    [Theory]
    [InlineData("/dev/zram0", 0)]
    [InlineData("/dev/zram12", 12)]
    [InlineData("/dev/zram", -1)]
    [InlineData("/dev/zramx", -1)]
    [InlineData("/dev/sda2", -1)]
    public void Only_dev_zramN_is_a_zram_device(string name, int index)
    {
        Assert.Equal(index, SwapsParser.ZramIndex(System.Text.Encoding.ASCII.GetBytes(name)));
    }
}
