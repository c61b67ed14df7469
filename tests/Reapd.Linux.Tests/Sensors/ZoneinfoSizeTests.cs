using System.Text;
using Reapd.Linux.Sensors;

namespace Reapd.Linux.Tests.Sensors;

/// <summary>
/// /proc/zoneinfo's size depends on the machine: a block of per-CPU page-list counts for every CPU in every zone. The
/// lower bound reads it into a buffer that starts small and grows to the file; these tests give it this machine's
/// zoneinfo with the per-CPU blocks of many more CPUs, as a large machine's would be.
/// </summary>
public sealed class ZoneinfoSizeTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("reapd-zoneinfo.").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public void A_zoneinfo_of_some_thousand_CPUs_gives_the_reserve_this_machines_own_gives()
    {
        // Both from one copy of this machine's file (a watermark boost may change the live one between two reads).
        string[] live = File.ReadAllLines("/proc/zoneinfo");
        string own = Path.Combine(_root, "own");
        Directory.CreateDirectory(own);
        WriteRoot(own, live, cpus: 0);
        using AvailableLowerBound small = AvailableLowerBound.TryOpen(own) ?? throw new InvalidOperationException("the copied zoneinfo did not open");
        Assert.True(small.TryRead(0, out _, out _, out _, out _));

        // 2,048 CPUs' blocks in every zone: about 0.35 MiB here per zone, larger than the 256 KiB buffer reapd had.
        string many = Path.Combine(_root, "many");
        Directory.CreateDirectory(many);
        int bytes = WriteRoot(many, live, cpus: 2048);
        Assert.True(bytes > 1024 * 1024, $"the test's zoneinfo is only {bytes} bytes");
        using AvailableLowerBound large = AvailableLowerBound.TryOpen(many) ?? throw new InvalidOperationException("the copied zoneinfo did not open");
        Assert.True(large.TryRead(0, out _, out _, out _, out _));

        // The same watermarks and protections: the same reserve, whatever the number of CPU blocks between them.
        Assert.True(small.ReserveBytes > 0);
        Assert.Equal(small.ReserveBytes, large.ReserveBytes);
        Assert.Equal(1, large.ReserveReads);
    }

    [Fact]
    public void A_zoneinfo_beyond_the_largest_buffer_leaves_the_bound_off_instead_of_reading_part_of_it()
    {
        int bytes = WriteRoot(_root, File.ReadAllLines("/proc/zoneinfo"), cpus: 8192);
        Assert.True(bytes > 4 * 1024 * 1024, $"the test's zoneinfo is only {bytes} bytes");
        using AvailableLowerBound bound = AvailableLowerBound.TryOpen(_root) ?? throw new InvalidOperationException("the copied zoneinfo did not open");
        // False: the caller reads /proc/meminfo instead (a cut file could have lost a zone's watermarks).
        Assert.False(bound.TryRead(0, out _, out _, out _, out _));
        Assert.Equal(-1, bound.ReserveBytes);
        // And the file is not generated again on every cycle, only at the next refresh.
        Assert.False(bound.TryRead(1000, out _, out _, out _, out _));
        Assert.Equal(1, bound.ReserveReads);
        Assert.False(bound.TryRead(AvailableLowerBound.ReserveRefreshMs, out _, out _, out _, out _));
        Assert.Equal(2, bound.ReserveReads);
    }

    /// <summary>
    /// Writes ROOT/zoneinfo (<paramref name="lines"/>, with each zone's per-CPU blocks replaced by
    /// <paramref name="cpus"/> copies of its first one; 0: as they are) and ROOT/sys/vm/watermark_boost_factor (this
    /// machine's); returns zoneinfo's size.
    /// </summary>
    private static int WriteRoot(string root, string[] lines, int cpus)
    {
        var text = new StringBuilder();
        for (int i = 0; i < lines.Length; i++)
        {
            text.Append(lines[i]).Append('\n');
            if (cpus == 0 || lines[i] != "  pagesets")
            {
                continue;
            }
            // The first CPU's block as the kernel prints it: "    cpu: N" and its indented counts.
            int end = i + 2;
            while (end < lines.Length && lines[end].StartsWith("              ", StringComparison.Ordinal))
            {
                end++;
            }
            string[] block = lines[(i + 2)..end];
            for (int cpu = 0; cpu < cpus; cpu++)
            {
                text.Append("    cpu: ").Append(cpu).Append('\n');
                foreach (string line in block)
                {
                    text.Append(line).Append('\n');
                }
                text.Append("  vm stats threshold: 4\n");
            }
            // Skip the live CPUs' own blocks: they were replaced.
            while (end < lines.Length && (lines[end].StartsWith("    cpu: ", StringComparison.Ordinal)
                || lines[end].StartsWith("              ", StringComparison.Ordinal)
                || lines[end].StartsWith("  vm stats threshold", StringComparison.Ordinal)))
            {
                end++;
            }
            i = end - 1;
        }
        byte[] zoneinfo = Encoding.ASCII.GetBytes(text.ToString());
        File.WriteAllBytes(Path.Combine(root, "zoneinfo"), zoneinfo);
        Directory.CreateDirectory(Path.Combine(root, "sys", "vm"));
        File.Copy("/proc/sys/vm/watermark_boost_factor", Path.Combine(root, "sys", "vm", "watermark_boost_factor"));
        return zoneinfo.Length;
    }
}
