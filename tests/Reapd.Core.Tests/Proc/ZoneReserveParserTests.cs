using Reapd.Core.Proc;
using Reapd.Testing;

namespace Reapd.Core.Tests.Proc;

/// <summary>The upper bound on totalreserve_pages from a captured /proc/zoneinfo (this machine, Linux 6.18, 24 GiB).</summary>
public sealed class ZoneReserveParserTests
{
    private static byte[] Fixture => File.ReadAllBytes(Path.Combine(NativeProgram.RepositoryRoot, "tests", "fixtures", "zoneinfo", "host-6.18-24g.zoneinfo"));

    [Fact]
    public void Without_boosting_the_reserve_is_the_kernels_sum_of_protection_and_high_watermark()
    {
        // DMA: min(3840, 24090 + 16) = 3840; DMA32: 21071 + 3660; Normal: 0 + 25557; Movable and Device: managed 0.
        Assert.Equal(3840 + 21071 + 3660 + 25557, ZoneReserveParser.ReservePages(Fixture, boostFactor: 0, pageblockPages: 512));
    }

    [Fact]
    public void With_boosting_the_largest_boost_is_added_so_the_reserve_is_never_underestimated()
    {
        long plain = ZoneReserveParser.ReservePages(Fixture, 0, 512);
        long boosted = ZoneReserveParser.ReservePages(Fixture, 15000, 512);
        // DMA stays capped at its managed pages; DMA32 and Normal gain max(512, high * 1.5).
        Assert.Equal(plain + 3660 * 15000 / 10000 + 25557 * 15000 / 10000, boosted);
    }

    [Fact]
    public void The_per_cpu_lists_are_the_sum_of_every_pagesets_count_beside_what_the_zones_keep_at_their_low_watermarks()
    {
        Assert.True(ZoneReserveParser.TryReadPerCpuLists(Fixture, out long lists, out long low));
        // DMA: 0 + 0; DMA32: 515 + 1086; Normal: 10191 + 7031 (awk '/count:/ { s += $2 }' on the fixture).
        Assert.Equal(515 + 1086 + 10191 + 7031, lists);
        // Per zone min(managed, low + the largest protection): DMA min(3840, 13 + 24090), DMA32 2888 + 21071 (managed
        // is larger), Normal 20163 + 0, Movable and Device 0 (nothing managed). So free memory is at the low watermarks
        // at 187 MiB here, not at the 90 MiB the "low" lines alone add up to.
        Assert.Equal(3840 + (2888 + 21071) + 20163, low);
    }

    [Theory]
    [InlineData("")]
    [InlineData("Node 0, zone   Normal\n  pages free 5\n")]
    [InlineData("  pagesets\n    cpu: 0\n              count:    x\n")]
    [InlineData("  pagesets\n    cpu: 0\n              count:    -3\n")]
    [InlineData("        low      y\n  pagesets\n    cpu: 0\n              count:    3\n")]
    [InlineData("Node 0, zone   Normal\n        protection: (0, z)\n  pagesets\n    cpu: 0\n              count:    3\n")]
    public void Text_without_a_readable_pageset_gives_no_list_size(string text)
    {
        Assert.False(ZoneReserveParser.TryReadPerCpuLists(System.Text.Encoding.ASCII.GetBytes(text), out _, out _));
    }

    [Theory]
    [InlineData("")]
    [InlineData("no zones here\n")]
    [InlineData("Node 0, zone   Normal\n  pages free 5\n        high     x\n")]
    [InlineData("Node 0, zone   Normal\n        protection: (0, a)\n")]
    public void Text_without_a_readable_zone_gives_no_reserve(string text)
    {
        Assert.Equal(-1, ZoneReserveParser.ReservePages(System.Text.Encoding.ASCII.GetBytes(text), 0, 512));
    }
}
