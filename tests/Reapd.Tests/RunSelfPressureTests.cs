using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Json;
using Reapd.Testing;

namespace Reapd.Tests;

/// <summary>
/// reapd under its own memory pressure (docs/reliability.md, "Under its own pressure"): the published daemon runs alone
/// in a child v1 memory cgroup whose limit is then lowered to just above what it holds, so the kernel reclaims every
/// page of it that is not locked; its executable's cached pages are dropped too (posix_fadvise on that one file, never
/// drop_caches). Then a hog in another cgroup forces an emergency: the kill must happen, and no thread of reapd may
/// take a major fault on the way — everything the kill path runs was mapped by the warm-up kill and locked.
/// </summary>
public sealed class RunSelfPressureTests
{
    private const long MiB = 1L << 20;

    [Fact]
    public void Squeezed_into_a_cgroup_just_above_its_size_the_daemon_still_kills_and_takes_no_major_fault_doing_it()
    {
        using TestCgroup own = TestCgroup.Create(64 * MiB, "self");
        using TestCgroup guarded = TestCgroup.Create(512 * MiB, "selfguard");
        long kernelKillsBefore = guarded.KernelOomKills;
        using RunDaemon daemon = RunDaemon.StartInCgroup(own, "--cgroup", guarded.Path);
        JsonElement start = daemon.Named("start")[0];
        string locked = start.GetProperty("mlock").GetString()!;
        Assert.Contains("warm-up kill: sigterms=1 sigkills=1 reap=", locked);
        Assert.Contains("settled=yes", locked);
        Assert.Contains("locked (current, future, on fault)", locked);

        // Squeeze: the lowest limit the kernel accepts (it reclaims down to it, EBUSY when it cannot), from the usage up.
        long usage = own.UsageBytes;
        long limit = SqueezeLimit(own);
        DropCachedPages(PublishedReapd.BinaryPath);
        long majorBefore = MajorFaults(daemon.Pid);
        string threadsBefore = ThreadMajorFaults(daemon.Pid);

        using HelperProcess hog = RunHogs.Start(guarded, 1024, rateMiBPerSecond: 1024);
        Assert.True(hog.WaitForExit(30_000), "the hog is still alive: reapd did not act");
        JsonElement settle = daemon.WaitFor("settle", e => e.GetProperty("pid").GetInt32() == hog.Pid);
        long majorAfter = MajorFaults(daemon.Pid);
        string threadsAfter = ThreadMajorFaults(daemon.Pid);

        TestContext.Current.TestOutputHelper?.WriteLine(
            $"own cgroup: usage {usage / 1024} KiB at start, squeezed to a limit of {limit / 1024} KiB; {locked}; " +
            $"major faults {majorBefore} before the emergency, {majorAfter} after; settle {settle.GetProperty("reason").GetString()}; failcnt {own.Read("memory.failcnt").Trim()}; per thread before: {threadsBefore}; after: {threadsAfter}");
        Assert.Equal(kernelKillsBefore, guarded.KernelOomKills);
        Assert.Equal(0, own.KernelOomKills);
        Assert.Equal(majorBefore, majorAfter);
        Assert.Contains(daemon.Named("signal"), e => e.GetProperty("pid").GetInt32() == hog.Pid && e.GetProperty("signal").GetString() == "SIGKILL"
            && e.GetProperty("result").GetString() == "Sent");
        daemon.StopCleanly();
    }

    /// <summary>Lowers the limit 256 KiB at a time from the usage until the kernel refuses; returns the lowest accepted.</summary>
    private static long SqueezeLimit(TestCgroup cgroup)
    {
        long accepted = long.Parse(cgroup.Read("memory.limit_in_bytes").Trim(), CultureInfo.InvariantCulture);
        for (long limit = (cgroup.UsageBytes + 256 * 1024) & ~4095L; limit > 0; limit -= 256 * 1024)
        {
            try
            {
                cgroup.Write("memory.limit_in_bytes", limit.ToString(CultureInfo.InvariantCulture));
                accepted = limit;
            }
            catch (IOException)
            {
                break; // EBUSY: nothing more the kernel can reclaim
            }
        }
        // A little room above the floor, so the emergency's own few allocations are not what is being tested.
        long final = accepted + MiB;
        cgroup.Write("memory.limit_in_bytes", final.ToString(CultureInfo.InvariantCulture));
        return final;
    }

    /// <summary>Field 12 of /proc/PID/stat: the major faults of all of the process's threads.</summary>
    internal static long MajorFaults(int pid)
    {
        string stat = File.ReadAllText($"/proc/{pid}/stat");
        string[] fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return long.Parse(fields[9], CultureInfo.InvariantCulture);
    }

    /// <summary>"name:majflt" of each thread, for the test's output.</summary>
    private static string ThreadMajorFaults(int pid) => string.Join(' ', Directory.EnumerateDirectories($"/proc/{pid}/task").Select(task =>
    {
        string stat = File.ReadAllText(Path.Combine(task, "stat"));
        string name = stat[(stat.IndexOf('(') + 1)..stat.LastIndexOf(')')];
        return $"{name}:{stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[9]}";
    }));

    private static void DropCachedPages(string path)
    {
        using FileStream file = File.OpenRead(path);
        Assert.Equal(0, posix_fadvise(file.SafeFileHandle.DangerousGetHandle().ToInt32(), 0, 0, 4));
    }

    [DllImport("libc")]
    private static extern int posix_fadvise(int fd, long offset, long length, int advice);
}
