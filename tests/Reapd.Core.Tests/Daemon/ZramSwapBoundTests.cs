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
    public void With_memory_left_to_swap_out_a_device_without_a_limit_counts_its_free_slots()
    {
        // However little is available: swapping a page to zram frees the page, so the room comes from what is swapped.
        SwapDevice device = HeldDevice("6.12-lz4-held.mm_stat");
        Assert.Equal(device.FreeBytes, ZramSwapBound.DeviceRoomBytes(device));
        Assert.Equal(device.FreeBytes, ZramSwapBound.ZramFreeBytes([device], 800 * MiB));
    }

    [Fact]
    public void Free_zram_swap_is_bounded_by_what_can_still_be_swapped_out()
    {
        SwapDevice device = HeldDevice("6.12-lz4-held.mm_stat");
        Assert.Equal(40 * MiB, ZramSwapBound.ZramFreeBytes([device], 40 * MiB));
        Assert.True(device.FreeBytes > 300 * MiB);
        Assert.Equal(0, ZramSwapBound.ZramFreeBytes([device], 0));
    }

    [Theory]
    [InlineData("6.12-lz4-held.mm_stat")]
    [InlineData("6.1-lzo-rle-held.mm_stat")]
    public void A_memory_limit_bounds_the_room_at_the_measured_ratio(string mmStat)
    {
        SwapDevice device = HeldDevice(mmStat);
        double ratio = (double)device.Zram.OrigDataBytes / device.Zram.MemUsedTotalBytes;
        Assert.InRange(ratio, 1.5, 2.0); // the guests' hog writes 2:1 compressible data; the allocator's overhead shows
        Assert.Equal(ratio, ZramSwapBound.Ratio(device.Zram));
        device.Zram.MemLimitBytes = device.Zram.MemUsedTotalBytes + (10 * MiB);
        Assert.Equal((long)(10 * MiB * ratio), ZramSwapBound.DeviceRoomBytes(device));
        Assert.Equal((long)(10 * MiB * ratio), ZramSwapBound.ZramFreeBytes([device], 800 * MiB));
        device.Zram.MemLimitBytes = device.Zram.MemUsedTotalBytes; // at its limit: zram refuses every write
        Assert.Equal(0, ZramSwapBound.ZramFreeBytes([device], 800 * MiB));
    }

    [Fact]
    public void An_empty_device_with_a_limit_is_counted_at_the_assumed_ratio()
    {
        // The zram-limit guest scenario: 512 MiB of slots, mem_limit 48 MiB, nothing stored yet.
        var devices = new SwapDevice[1];
        Assert.Equal(1, SwapsParser.TryParse(Fixture("6.12-lz4-held.swaps"), devices));
        devices[0].UsedKiB = 0;
        Assert.True(SwapsParser.TryParseMmStat(Fixture("6.12-lz4-empty.mm_stat"), out devices[0].Zram));
        Assert.Equal(devices[0].FreeBytes, ZramSwapBound.DeviceRoomBytes(devices[0]));
        devices[0].Zram.MemLimitBytes = 48 * MiB;
        long room = (long)((48 * MiB - devices[0].Zram.MemUsedTotalBytes) * ZramSwapBound.AssumedRatio);
        Assert.Equal(room, ZramSwapBound.ZramFreeBytes(devices, 800 * MiB));
    }

    [Fact]
    public void Several_zram_devices_share_one_bound_on_what_can_be_swapped_out()
    {
        SwapDevice a = HeldDevice("6.12-lz4-held.mm_stat"), b = HeldDevice("6.12-lz4-held.mm_stat");
        b.ZramIndex = 1;
        Assert.Equal(a.FreeBytes + b.FreeBytes, ZramSwapBound.ZramFreeBytes([a, b], 2048 * MiB));
        // Each alone could take the 150 MiB; together they still cannot swap out more than there is.
        Assert.Equal(150 * MiB, ZramSwapBound.ZramFreeBytes([a, b], 150 * MiB));
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
        Assert.Equal((1048572L * 1024) + (10 * MiB), ZramSwapBound.EffectiveFreeBytes(devices.AsSpan(0, 2), 10 * MiB));
    }

    [Fact]
    public void What_can_still_be_swapped_out_is_the_anonymous_memory_on_the_lru_lists_plus_what_is_available()
    {
        Assert.True(MemInfoParser.TryParse(ProcFixtures.Read("meminfo"), out MemInfo info));
        Assert.Equal(1540, info.ActiveAnonKiB);
        Assert.Equal(6492, info.InactiveAnonKiB);
        Assert.Equal((1540 + 6492 + info.MemAvailableKiB) * 1024, ZramSwapBound.SwappableBytes(info));
    }

    [Theory]
    [InlineData("6.12-lz4-idle-held.meminfo", "6.12-lz4-held.mm_stat")]
    [InlineData("6.1-lzo-rle-idle-held.meminfo", "6.1-lzo-rle-held.mm_stat")]
    public void In_the_zram_idle_guest_with_no_memory_available_zram_still_counts_all_its_free_slots(string meminfo, string mmStat)
    {
        // Guest scenario zram-idle at its held point: about 200 MiB in zram, MemAvailable 0-1 MiB, 750 MiB of
        // anonymous memory the kernel can still swap out. Nothing needs killing, and the bound says so.
        Assert.True(MemInfoParser.TryParse(Fixture(meminfo), out MemInfo info));
        var device = new SwapDevice { SizeKiB = info.SwapTotalKiB, UsedKiB = info.SwapTotalKiB - info.SwapFreeKiB, ZramIndex = 0 };
        Assert.True(SwapsParser.TryParseMmStat(Fixture(mmStat), out device.Zram));
        Assert.True(info.MemAvailableKiB < 2 * 1024 && info.ActiveAnonKiB + info.InactiveAnonKiB > 700 * 1024);
        Assert.Equal(device.FreeBytes, ZramSwapBound.ZramFreeBytes([device], ZramSwapBound.SwappableBytes(info)));
        // The first, withdrawn bound (available memory × ratio) counted under 1 % of these slots: a kill.
        Assert.True(info.MemAvailableKiB * 1024 * ZramSwapBound.Ratio(device.Zram) < device.FreeBytes / 100);
    }

    [Fact]
    public void An_idle_machine_with_little_anonymous_memory_is_not_out_of_zram_swap()
    {
        // The captured machine holds 8 MiB of anonymous memory and has most of its memory available: all allocations
        // to come can be swapped, so the device's free slots all count (an anonymous-memory bound alone would count 8 MiB).
        Assert.True(MemInfoParser.TryParse(ProcFixtures.Read("meminfo"), out MemInfo info));
        SwapDevice device = HeldDevice("6.12-lz4-held.mm_stat");
        Assert.Equal(device.FreeBytes, ZramSwapBound.ZramFreeBytes([device], ZramSwapBound.SwappableBytes(info)));
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
