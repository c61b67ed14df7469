using System.Globalization;

namespace Reapd.Bench.Swap;

/// <summary>
/// Guest mode: a service in a cgroup v2 slice outgrowing memory.high, then memory.max. Its cgroup sits below
/// system.slice (where systemd-oomd's pressure rule watches) with memory.high 256 MiB, memory.max 384 MiB and no swap
/// (memory.swap.max 0); one process in it grows at 32 MiB/s to 512 MiB. Past memory.high the kernel throttles and
/// reclaims the group (it stalls: the service's freeze); at memory.max the group's own OOM killer acts. Right outcome:
/// the service's process killed early (before it spends long throttled above memory.high), and nothing else.
/// </summary>
internal sealed class ServiceSliceScenario : Scenario
{
    public const long HighBytes = 256L << 20;

    public const long MaxBytes = 384L << 20;

    public const int RateMiBs = 32;

    public override string Slug => "service-slice-guest";

    public override string Title => "A service outgrowing memory.high, then memory.max (cgroup v2)";

    public override string Description =>
        "In the QEMU guest: a service's cgroup below system.slice with memory.high 256 MiB, memory.max 384 MiB and no swap; its process grows at "
        + $"{RateMiBs} MiB/s to 512 MiB. Past memory.high the kernel throttles and reclaims the group (the service stalls), at memory.max the group's "
        + "own OOM killer acts. Scope: the cgroup (available = memory.max − memory.current; reapd --cgroup reads min(memory.max, memory.high) as its "
        + "total, so its lines sit below memory.high). earlyoom and nohang watch the whole guest only and cannot see it; systemd-oomd watches "
        + "system.slice's pressure. The freeze is the guest's /proc/pressure/memory stall from the start to the end of the run. Right outcome: "
        + "the service's process killed, early, nothing else.";

    public override long? CgroupLimitBytes => MaxBytes;

    public override long? CgroupHighBytes => HighBytes;

    public override long? CgroupSwapBytes => 0;

    public override bool MeasuresStall => true;

    public override double TimeoutS => 50;

    public override double AfterLineTimeoutS => 25;

    public override Workload Start(ScenarioContext c)
    {
        var w = new Workload(c);
        string[] args = ["--mib", "512", "--page", "4k", "--adj", "1000", "--ignore-term", "--cgroup-procs", c.Cgroup.ProcsFile,
            "--rate-mib-s", RateMiBs.ToString(CultureInfo.InvariantCulture), "--fill", "half"];
        var hog = ChildProcess.Start("service", c.Programs.Hog, args);
        if (hog.WaitForLine(l => l.EndsWith(" start", StringComparison.Ordinal), TimeSpan.FromSeconds(30)) is null)
        {
            string log = hog.Log();
            hog.Dispose();
            throw new InvalidOperationException($"service did not start:\n{log}");
        }
        w.Add(hog, "victim");
        return w;
    }
}
