using System.Globalization;

namespace Reapd.Bench.Swap;

/// <summary>
/// The desktop-like swap thrash of the guest mode (--in-guest): the whole guest is the scope, as on a desktop. The
/// runner hot-adds a 1 GiB zram device as swap; a working set (about 2:1 compressible) grows at 64 MiB/s to 384 MiB
/// more than was available at its start and is then written page by page, over and over. Swap keeps room (the
/// excess, compressed, takes a fraction of it), so no line on swap is crossed and the kernel's OOM killer does not
/// act: the machine thrashes until something kills the thrasher, or the run's time is up. The freeze is the guest's
/// /proc/pressure/memory stall from the workload's start to the end of the run. Right outcome: the thrasher killed,
/// and nothing else (the runner itself, a .NET process, is the other big process in the guest).
/// </summary>
internal sealed class GuestSwapThrashScenario : Scenario
{
    public const long ZramBytes = 1L << 30;

    public const int RateMiBs = 64;

    public const long ExcessMiB = 384;

    public override string Slug => "swap-thrash-guest";

    public override string Title => "Swap thrash on zram, whole guest";

    public override string Description =>
        $"In a QEMU guest (cgroup v2, systemd as PID 1), the whole guest as the scope: a 1 GiB zram device the runner hot-adds is the swap; a "
        + $"working set grows at {RateMiBs} MiB/s to {ExcessMiB} MiB more than was available at its start and is then written page by page over and over "
        + "(hog --fill half --touch-loop: about 2:1 compressible). Swap keeps room, so no swap line is crossed and the kernel's OOM killer does not act: the "
        + "guest thrashes until something kills the thrasher, or the run's time is up (70 s from the start, 30 s after the SIGKILL line). The freeze is "
        + "the guest's /proc/pressure/memory stall from the workload's start to the end of the run. Right outcome: the thrasher killed, nothing else.";

    public override bool MeasuresStall => true;

    public override bool UsesBallast => false;

    public override double TimeoutS => 70;

    public override double AfterLineTimeoutS => 30;

    public override double TailS => 3;

    public override SwapSpace? CreateSwap() => SwapSpace.CreateZram(ZramBytes);

    public override Workload Start(ScenarioContext c)
    {
        var w = new Workload(c);
        long mib = ProcFiles.MemAvailableKiB / 1024 + ExcessMiB;
        string[] args = ["--mib", mib.ToString(CultureInfo.InvariantCulture), "--page", "4k", "--adj", "1000", "--ignore-term",
            "--cgroup-procs", c.Cgroup.ProcsFile, "--rate-mib-s", RateMiBs.ToString(CultureInfo.InvariantCulture), "--fill", "half", "--touch-loop"];
        var hog = ChildProcess.Start("thrasher", c.Programs.Hog, args);
        if (hog.WaitForLine(l => l.EndsWith(" start", StringComparison.Ordinal), TimeSpan.FromSeconds(30)) is null)
        {
            string log = hog.Log();
            hog.Dispose();
            throw new InvalidOperationException($"thrasher did not start:\n{log}");
        }
        w.Add(hog, "victim");
        return w;
    }
}
