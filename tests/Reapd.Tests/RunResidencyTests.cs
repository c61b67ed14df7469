using System.Globalization;
using System.Text.Json;
using Reapd.Testing;

namespace Reapd.Tests;

/// <summary>
/// After `reapd run` protects itself, what is resident of its executable is what its warm-up (three cycles, a scan, a
/// whole warm-up emergency on a child of its own) mapped, not the whole file: start-up's pages were unmapped before the
/// warm-up and the executable's cache dropped, and mlockall(MCL_ONFAULT) locked only what was mapped then.
/// </summary>
public sealed class RunResidencyTests
{
    [Fact]
    public void The_daemon_keeps_resident_what_its_warm_up_ran_not_its_whole_executable()
    {
        using TestCgroup cgroup = TestCgroup.Create(128L << 20, "resident");
        using RunDaemon daemon = RunDaemon.Start("--cgroup", cgroup.Path);
        JsonElement start = daemon.WaitFor("start", _ => true);
        string locked = start.GetProperty("mlock").GetString()!;
        Assert.Contains("warm-up kill: sigterms=1 sigkills=1 reap=", locked);
        Assert.Contains("settled=yes", locked);
        Assert.Contains("locked (current, future, on fault)", locked);
        Assert.Contains("unmapped", locked);

        string executable = File.ResolveLinkTarget($"/proc/{daemon.Pid}/exe", returnFinalTarget: false)!.FullName;
        long sizeKiB = 0, rssKiB = 0;
        foreach ((string path, long mappingKiB, long residentKiB) in Mappings(daemon.Pid))
        {
            if (path == executable)
            {
                sizeKiB += mappingKiB;
                rssKiB += residentKiB;
            }
        }
        TestContext.Current.TestOutputHelper?.WriteLine($"{locked}; executable {rssKiB} of {sizeKiB} KiB resident");
        Assert.InRange(rssKiB, 1, sizeKiB - 1);
    }

    /// <summary>Each mapping of /proc/PID/smaps with a path: (path, Size, Rss), in KiB.</summary>
    private static IEnumerable<(string Path, long SizeKiB, long RssKiB)> Mappings(int pid)
    {
        string? path = null;
        long size = 0;
        foreach (string line in File.ReadLines($"/proc/{pid}/smaps"))
        {
            string[] fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length >= 5 && fields[0].Contains('-', StringComparison.Ordinal) && !fields[0].EndsWith(':'))
            {
                path = fields.Length >= 6 ? string.Join(' ', fields[5..]) : null;
            }
            else if (fields[0] == "Size:")
            {
                size = long.Parse(fields[1], CultureInfo.InvariantCulture);
            }
            else if (fields[0] == "Rss:" && path is not null)
            {
                yield return (path, size, long.Parse(fields[1], CultureInfo.InvariantCulture));
            }
        }
    }
}
