using System.Globalization;
using System.Text.Json;
using Reapd.Testing;

namespace Reapd.Tests;

/// <summary>
/// After `reapd run` protects itself, every page of its executable (all of its code: NativeAOT links the managed code
/// in), libc and ld.so is resident, not only the pages the warm-up touched (MCL_ONFAULT alone leaves the others out).
/// </summary>
public sealed class RunResidencyTests
{
    [Fact]
    public void Every_page_of_the_executable_libc_and_the_loader_is_resident_once_the_daemon_has_started()
    {
        using TestCgroup cgroup = TestCgroup.Create(128L << 20, "resident");
        using RunDaemon daemon = RunDaemon.Start("--cgroup", cgroup.Path);
        JsonElement start = daemon.WaitFor("start", _ => true);
        Assert.Contains("code resident", start.GetProperty("mlock").GetString());
        Assert.DoesNotContain("refused", start.GetProperty("mlock").GetString());

        string executable = File.ResolveLinkTarget($"/proc/{daemon.Pid}/exe", returnFinalTarget: false)!.FullName;
        int mappings = 0;
        foreach ((string path, long sizeKiB, long rssKiB) in Mappings(daemon.Pid))
        {
            if (path == executable || path.Contains("/libc.so", StringComparison.Ordinal) || path.Contains("/ld-linux", StringComparison.Ordinal))
            {
                mappings++;
                Assert.True(rssKiB == sizeKiB, $"{path}: {rssKiB} of {sizeKiB} KiB resident");
            }
        }
        Assert.True(mappings >= 3, $"only {mappings} mappings of the executable, libc and ld.so found");
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
