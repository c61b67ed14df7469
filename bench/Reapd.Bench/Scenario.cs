namespace Reapd.Bench;

/// <summary>A memory emergency, run the same way for every daemon.</summary>
internal abstract class Scenario
{
    /// <summary>File name of its results (bench/results/SLUG.md, .png).</summary>
    public abstract string Slug { get; }

    public abstract string Title { get; }

    /// <summary>What happens and what the right outcome is, for the report.</summary>
    public abstract string Description { get; }

    /// <summary>How long to keep watching after the end condition, to see a second (spurious) kill.</summary>
    public virtual double TailS => 1.5;

    /// <summary>System-wide: how far above the kill line available memory is when the run starts (the ballast holds
    /// the rest). More than the 5 % between the SIGTERM and SIGKILL lines, so the SIGTERM phase shows too.</summary>
    public virtual long RampAboveKillLineKiB => 2048L * 1024;

    /// <summary>Hard limit of one run, from the workload's start.</summary>
    public virtual double TimeoutS => 40;

    /// <summary>Hard limit from the kill line's crossing: a killer that has not acted by then is reported as such
    /// (the kernel alone can thrash for tens of seconds before its OOM killer fires).</summary>
    public virtual double AfterLineTimeoutS => 20;

    /// <summary>When set, the run's scope is a memory cgroup with this limit (whatever the mode): the swap-thrash scenarios.</summary>
    public virtual long? CgroupLimitBytes => null;

    /// <summary>With <see cref="CgroupLimitBytes"/>: swap the cgroup may use (memory.memsw.limit_in_bytes − the limit).</summary>
    public virtual long? CgroupSwapBytes => null;

    /// <summary>System-wide runs fill all but the scenario's ramp with the ballast first; the guest's thrash fills the guest itself.</summary>
    public virtual bool UsesBallast => CgroupLimitBytes is null;

    /// <summary>The workload is sized to take available memory below the kill line: a run in which it never did and
    /// nothing was killed did not happen (<see cref="RunResult.Void"/>). Every ballast scenario is; the swap thrash
    /// need not be (swap can absorb it; its figure is the stall).</summary>
    public virtual bool MustCrossKillLine => UsesBallast;

    /// <summary>With <see cref="CgroupLimitBytes"/> on cgroup v2: memory.high (null: none).</summary>
    public virtual long? CgroupHighBytes => null;

    /// <summary>Report the PSI memory stall (the freeze) of every run.</summary>
    public virtual bool MeasuresStall => false;

    /// <summary>Swap this scenario needs, set up once before its runs and removed after them (null: none).</summary>
    public virtual Swap.SwapSpace? CreateSwap() => null;

    /// <summary>Why this scenario cannot run here, or null.</summary>
    public virtual string? SkipReason(NativeBinaries programs, BenchScope scope) => null;

    public abstract Workload Start(ScenarioContext context);

    /// <summary>Starts a hog (tests/native/hog.c) in the run's cgroup at adj 1000, ignoring SIGTERM (so the SIGKILL is
    /// what ends it, for every daemon), with transparent huge pages (4 KiB faults are far slower in this VM).</summary>
    protected static ChildProcess StartHog(ScenarioContext c, string name, long mib, int rateMiBs)
    {
        var args = new List<string> { "--mib", mib.ToString(System.Globalization.CultureInfo.InvariantCulture), "--page", "thp",
            "--adj", "1000", "--ignore-term", "--cgroup-procs", c.Cgroup.ProcsFile };
        if (rateMiBs > 0)
        {
            args.AddRange(["--rate-mib-s", rateMiBs.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        }
        var hog = ChildProcess.Start(name, c.Programs.Hog, args);
        if (hog.WaitForLine(l => l.EndsWith(" start", StringComparison.Ordinal), TimeSpan.FromSeconds(10)) is null)
        {
            string log = hog.Log();
            hog.Dispose();
            throw new InvalidOperationException($"{name} did not start:\n{log}");
        }
        return hog;
    }
}
