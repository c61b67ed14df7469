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
        foreach (SmapsMapping mapping in SmapsMappings(daemon.Pid).Where(m => m.Path == executable))
        {
            sizeKiB += mapping.SizeKiB;
            rssKiB += mapping.RssKiB;
        }
        TestContext.Current.TestOutputHelper?.WriteLine($"{locked}; executable {rssKiB} of {sizeKiB} KiB resident");
        Assert.InRange(rssKiB, 1, sizeKiB - 1);
    }

    /// <summary>
    /// Fault-around off (SelfProtection.DisableFaultAround): the kernel still holds the userfaultfd write-protect
    /// registration ("uw" in VmFlags) on each read-only file mapping of the executable that has no copied page, for as
    /// long as the daemon runs — it would lose it if the descriptor were closed, and each later fault would map and lock
    /// up to 64 KiB of neighbours again. And what stayed resident of the executable's code is no more than the warm-up
    /// ran: measured 1.3 MiB of its 3.4 MiB with fault-around off, 2.8 MiB with it on; 2 MiB is the bound.
    /// </summary>
    [Fact]
    public void The_daemon_keeps_fault_around_off_on_its_read_only_file_mappings()
    {
        using TestCgroup cgroup = TestCgroup.Create(128L << 20, "faultaround");
        using RunDaemon daemon = RunDaemon.Start("--cgroup", cgroup.Path);
        JsonElement start = daemon.WaitFor("start", _ => true);
        string locked = start.GetProperty("mlock").GetString()!;
        Assert.SkipWhen(locked.Contains("fault-around on (", StringComparison.Ordinal), $"this kernel cannot turn fault-around off: {locked}");
        Assert.Contains("fault-around off on ", locked);
        Assert.Contains("settled=yes", locked);

        string executable = File.ResolveLinkTarget($"/proc/{daemon.Pid}/exe", returnFinalTarget: false)!.FullName;
        int registered = 0;
        long codeKiB = 0;
        foreach (SmapsMapping mapping in SmapsMappings(daemon.Pid))
        {
            if (mapping.Path != executable || mapping.Permissions.Contains('w', StringComparison.Ordinal) || mapping.AnonymousKiB != 0)
            {
                continue;
            }
            Assert.True(mapping.VmFlags.Contains("uw"), $"{mapping.Permissions} mapping of the executable without the write-protect registration: VmFlags {string.Join(' ', mapping.VmFlags)}");
            registered++;
            if (mapping.Permissions.Contains('x', StringComparison.Ordinal))
            {
                codeKiB += mapping.RssKiB;
            }
        }
        TestContext.Current.TestOutputHelper?.WriteLine($"{locked}; {registered} mappings registered, code {codeKiB} KiB resident");
        Assert.True(registered >= 2, $"only {registered} read-only mappings of the executable");
        Assert.InRange(codeKiB, 1, 2048);
    }

    private sealed record SmapsMapping(string Path, string Permissions, long SizeKiB, long RssKiB, long AnonymousKiB, string[] VmFlags);

    /// <summary>Each mapping of /proc/PID/smaps with its path (empty when anonymous), permissions, Size, Rss, Anonymous and VmFlags.</summary>
    private static List<SmapsMapping> SmapsMappings(int pid)
    {
        var mappings = new List<SmapsMapping>();
        string path = "", permissions = "";
        long size = 0, rss = 0, anonymous = 0;
        foreach (string line in File.ReadLines($"/proc/{pid}/smaps"))
        {
            string[] fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length >= 5 && fields[0].Contains('-', StringComparison.Ordinal) && !fields[0].EndsWith(':'))
            {
                path = fields.Length >= 6 ? string.Join(' ', fields[5..]) : "";
                permissions = fields[1];
            }
            else if (fields[0] == "Size:")
            {
                size = long.Parse(fields[1], CultureInfo.InvariantCulture);
            }
            else if (fields[0] == "Rss:")
            {
                rss = long.Parse(fields[1], CultureInfo.InvariantCulture);
            }
            else if (fields[0] == "Anonymous:")
            {
                anonymous = long.Parse(fields[1], CultureInfo.InvariantCulture);
            }
            else if (fields[0] == "VmFlags:")
            {
                mappings.Add(new SmapsMapping(path, permissions, size, rss, anonymous, fields[1..]));
            }
        }
        return mappings;
    }
}
