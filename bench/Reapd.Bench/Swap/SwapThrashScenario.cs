using System.Globalization;

namespace Reapd.Bench.Swap;

/// <summary>
/// A desktop-like swap thrash on the host, in a memory cgroup: a working set (pages half pseudo-random, half zero:
/// about 2:1 in zram, like ordinary program data) grows at 128 MiB/s to 1.5 times the cgroup's memory limit and is
/// then written page by page, over and over. Past the limit the kernel swaps it out (to a zram device the runner
/// hot-adds, or to a swap file) and every pass faults it back in: the cgroup's "RAM" is too small for its working set
/// while swap still has room (memory.memsw.limit_in_bytes leaves 1 GiB of swap), so the kernel's OOM killer never acts:
/// it is the freeze users know. Right outcome: the thrasher killed, soon, and nothing else.
/// Why a cgroup and not the whole machine: this host (24 GiB, no swap of its own) runs other sessions' builds and
/// tests; a whole-machine thrash would swap their processes out and freeze them too, and a cgroup v1 limit with swap
/// accounting (memsw) makes exactly the same kernel path (reclaim, swap-out, swap-in faults) happen to the workload
/// alone. The cost: earlyoom and nohang only watch the whole machine, so they cannot see it (their rows say so); the
/// guest mode (bench/README.md) is where all of them face a whole-machine thrash.
/// </summary>
internal sealed class SwapThrashScenario(string kind) : Scenario
{
    /// <summary>The workload cgroup's memory limit: the "RAM" the working set outgrows.</summary>
    public const long LimitBytes = 1L << 30;

    /// <summary>Swap the cgroup may use beyond its memory limit (memsw limit − memory limit), and the swap device's size.</summary>
    public const long SwapAllowanceBytes = 1L << 30;

    public const int RateMiBs = 128;

    public override string Slug => kind == "zram" ? "swap-thrash-zram" : "swap-thrash-file";

    public override string Title => kind == "zram" ? "Swap thrash on zram (1 GiB cgroup)" : "Swap thrash on a swap file (1 GiB cgroup)";

    public override string Description =>
        $"A working set grows at {RateMiBs} MiB/s to 1.5 GiB, 1.5 times its memory cgroup's 1 GiB limit, and is then written page by page over "
        + $"and over (hog --fill half --touch-loop: about 2:1 compressible). It swaps to {(kind == "zram" ? "a zram device the runner hot-adds (1 GiB, lzo-rle)" : "a 1 GiB swap file on ext4")}, "
        + "at the highest swap priority; memory.memsw.limit_in_bytes leaves the cgroup 1 GiB of swap, so swap never runs out and the kernel's "
        + "OOM killer does not act: the thrash goes on until something kills the thrasher (or the run's time is up, 25 s after the line). "
        + "The freeze is the PSI stall the machine's /proc/pressure/memory counted from the workload's start to the end of the run "
        + "(cgroup v1 has no per-cgroup PSI). Scope: the cgroup (available = limit − usage, as reapd --cgroup reads a v1 group); earlyoom and "
        + "nohang watch the whole machine only, which is nowhere near their lines, so they cannot act here: their rows are the thrash as "
        + "users get it without a cgroup-aware killer. Right outcome: the thrasher killed soon after the line, nothing else.";

    public override long? CgroupLimitBytes => LimitBytes;

    public override long? CgroupSwapBytes => SwapAllowanceBytes;

    public override bool MeasuresStall => true;

    public override double TimeoutS => 40;

    public override double AfterLineTimeoutS => 25;

    public override SwapSpace? CreateSwap() =>
        kind == "zram" ? SwapSpace.CreateZram(SwapAllowanceBytes + (256L << 20)) : SwapSpace.CreateFile("/var/tmp", SwapAllowanceBytes + (256L << 20));

    public override Workload Start(ScenarioContext c)
    {
        var w = new Workload(c);
        long mib = LimitBytes * 3 / 2 >> 20;
        string[] args = ["--mib", mib.ToString(CultureInfo.InvariantCulture), "--page", "4k", "--adj", "1000", "--ignore-term",
            "--cgroup-procs", c.Cgroup.ProcsFile, "--rate-mib-s", RateMiBs.ToString(CultureInfo.InvariantCulture), "--fill", "half", "--touch-loop"];
        var hog = ChildProcess.Start("thrasher", c.Programs.Hog, args);
        if (hog.WaitForLine(l => l.EndsWith(" start", StringComparison.Ordinal), TimeSpan.FromSeconds(10)) is null)
        {
            string log = hog.Log();
            hog.Dispose();
            throw new InvalidOperationException($"thrasher did not start:\n{log}");
        }
        w.Add(hog, "victim");
        return w;
    }
}
