using System.Globalization;
using System.Text.RegularExpressions;
using Reapd.Linux.Sensors;
using Reapd.Testing;

namespace Reapd.Linux.Tests.Sensors;

/// <summary>
/// The start event's residency line (<see cref="SelfProtection.DescribeResidentCode"/>), read in this test process: it
/// runs right after mlockall, so what it allocates stays in the daemon's locked heap for good.
/// </summary>
public sealed partial class SelfProtectionResidencyTests
{
    [Fact]
    public void The_residency_line_gives_the_executable_size_that_smaps_lists()
    {
        string line = SelfProtection.DescribeResidentCode();
        Match match = ResidencyLine().Match(line);
        Assert.True(match.Success, line);
        long residentKiB = long.Parse(match.Groups["resident"].Value, CultureInfo.InvariantCulture);
        long sizeKiB = long.Parse(match.Groups["size"].Value, CultureInfo.InvariantCulture);
        long librariesKiB = long.Parse(match.Groups["libraries"].Value, CultureInfo.InvariantCulture);

        // The sizes of the executable's mappings do not move (residency may, between two reads); the test host's
        // smaps runs to several hundred KiB, so the 64 KiB buffer is refilled many times, lines cut at its end.
        string executable = Environment.ProcessPath!;
        long expectedSizeKiB = 0;
        foreach (string mapping in File.ReadLines("/proc/self/maps"))
        {
            string[] fields = mapping.Split(' ', 6, StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length == 6 && fields[5].Trim() == executable)
            {
                string[] range = fields[0].Split('-');
                expectedSizeKiB += (long.Parse(range[1], NumberStyles.HexNumber, CultureInfo.InvariantCulture) - long.Parse(range[0], NumberStyles.HexNumber, CultureInfo.InvariantCulture)) / 1024;
            }
        }
        Assert.Equal(expectedSizeKiB, sizeKiB);
        Assert.InRange(residentKiB, 1, sizeKiB);
        Assert.True(librariesKiB > 0, line);
    }

    [Fact]
    public void The_residency_line_allocates_no_string_per_smaps_line()
    {
        _ = SelfProtection.DescribeResidentCode();
        string line = "";
        long allocated = ThreadAllocation.Measure(() => line = SelfProtection.DescribeResidentCode());
        // The line itself, the executable's path in UTF-8 and the GC's figures: well under 4 KiB. Reading smaps a
        // string per line, as it did, took 1.9 MB in this test host (hundreds of mappings; 340 KiB in the daemon).
        Assert.True(allocated < 4096, $"{allocated} bytes allocated for: {line}");
    }

    [GeneratedRegex(@"^resident: (?<resident>\d+) of (?<size>\d+) KiB of the executable, (?<libraries>\d+) KiB of libraries; managed heap \d+ KiB, \d+ KiB committed$")]
    private static partial Regex ResidencyLine();
}
