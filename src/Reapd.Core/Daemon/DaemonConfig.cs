using Reapd.Core.Policy;

namespace Reapd.Core.Daemon;

/// <summary>
/// What `reapd run` acts on, with built-in defaults so that it works with no file and no flag. docs/daemon.md gives
/// the reasons for each default; the short version is in the comments here.
/// </summary>
public sealed record DaemonConfig
{
    /// <summary>
    /// SIGTERM the top candidate when available memory is at or below this share of the total (earlyoom's default
    /// too). Low enough that a busy machine with a big page cache is left alone, high enough to leave the victim
    /// seconds to exit cleanly while an allocator at 1 GiB/s eats the band between here and the kill level.
    /// </summary>
    public double TermPercent { get; init; } = 10;

    /// <summary>
    /// SIGKILL (and reap) at or below this share. 5 % of the limit is still well above the point where the kernel's
    /// own reclaim stalls every task (the OOM killer runs at zero reclaimable memory), so reapd acts first.
    /// </summary>
    public double KillPercent { get; init; } = 5;

    /// <summary>
    /// How long a SIGTERMed victim gets to exit before SIGKILL. 3 s lets a service flush and exit; crossing the kill
    /// level cuts it short, so the grace never costs memory the machine does not have.
    /// </summary>
    public long GraceMs { get; init; } = 3000;

    /// <summary>
    /// Upper bound on how long a killed victim keeps the settle gate closed when the memory does not show its
    /// release. Reaping 4 GiB takes about a third of a second of CPU (0.9–1.2 s of wall time on a loaded VM, docs/kernel.md D.2);
    /// 5 s covers that with margin and still lets a second, real emergency be served within seconds.
    /// </summary>
    public long SettleTimeoutMs { get; init; } = 5000;

    /// <summary>
    /// The longest a scan of the scope may take before the decision goes on with what was read (docs/daemon.md,
    /// "Scanning"; docs/reliability.md). 1 s: a whole scan of 10 001 processes took 1.06–3.3 s on this 2-vCPU machine
    /// while five builds shared it, 200 ms reached only 1 038 of them; the processes of an ordinary machine (hundreds
    /// to a few thousand) are read well inside it, so the choice is made from the whole ranking, and a process whose
    /// /proc files block costs at most one deadline (later scans skip it at once while it stays stuck).
    /// </summary>
    public int ScanDeadlineMs { get; init; } = 1000;

    /// <summary>
    /// A full memory stall (every non-idle task waiting on memory) for at least this share of
    /// <see cref="PsiFullWindowMs"/> is a kill condition of its own; null turns it off. The default is conservative:
    /// 60 % of 10 s, measured from the exact stall counters, restarted after every kill. That catches a machine that
    /// thrashes its working set while MemAvailable still counts that cache as free, and never fires on a machine
    /// that is merely busy: a full stall of 6 s out of 10 s means nothing useful is running.
    /// </summary>
    public double? PsiFullPercent { get; init; } = 60;

    /// <summary>The window of the full-stall condition (a multiple of 2 s, which PSI triggers accept without CAP_SYS_RESOURCE).</summary>
    public long PsiFullWindowMs { get; init; } = 10_000;

    /// <summary>
    /// After process_mrelease answered ESRCH, how long the pidfd may stay unreadable with the memory not moving
    /// before reapd calls the victim stuck in __mmput (docs/kernel.md D.4). A normal exit past exit_mm frees memory while it goes
    /// (its pidfd became readable 0.15–1.5 s after SIGKILL for 1 GiB on a loaded VM, docs/kernel.md D.2): any rise of the
    /// reading restarts this clock, so only an exit that frees nothing for a whole second is called stuck.
    /// </summary>
    public long StuckGraceMs { get; init; } = 1000;

    /// <summary>
    /// A victim whose memory is mostly shmem (more shmem than anonymous memory): process_mrelease frees only the
    /// anonymous part, its exit frees the shmem it alone maps. After the reap, the gate waits this long for the exit
    /// before it opens anyway, so such a victim does not lead to a second kill and still cannot hold the gate long.
    /// The same wait bounds a victim reaped while its own exit was tearing its mm down (ReapState.ReleasedExitPending).
    /// </summary>
    public long ShmemExitWaitMs { get; init; } = 1000;

    /// <summary>
    /// A reap that has not answered after this long is reported (`reap-slow`): the reaper thread waits in the kernel
    /// (an mm lock held by a writer that does not progress). The decision never waits for it.
    /// </summary>
    public long ReapSlowReportMs { get; init; } = 1000;

    /// <summary>Longest sleep between two samples when memory is plentiful (idle cost: one sample a second).</summary>
    public int MaxIntervalMs { get; init; } = 1000;

    /// <summary>Shortest sleep between two samples, reached only right above a threshold.</summary>
    public int MinIntervalMs { get; init; } = 1;

    /// <summary>Interval while a victim is in flight: the gate watches its memory come back.</summary>
    public int InFlightIntervalMs { get; init; } = 10;

    /// <summary>
    /// The fastest allocation the sampling interval is sized for: 8 GiB/s, above the 7 GiB/s measured here with
    /// transparent huge pages. At that rate the headroom left can at most halve between two samples.
    /// </summary>
    public long AssumedAllocationBytesPerSecond { get; init; } = 8L << 30;

    /// <summary>Process names (comm) never chosen, in addition to what is never a candidate anyway.</summary>
    public IReadOnlyList<string> ProtectedNames { get; init; } = [];

    // ---- Policy (issue 11). Defaults reproduce the behaviour before the configuration file existed. ----

    /// <summary>SIGTERM line for free swap, percent of SwapTotal (zram-aware: see <see cref="ZramAware"/>); null = <see cref="TermPercent"/>.</summary>
    public double? SwapTermPercent { get; init; }

    /// <summary>SIGKILL line for free swap; null = <see cref="KillPercent"/>.</summary>
    public double? SwapKillPercent { get; init; }

    /// <summary>
    /// Count free swap on zram devices as no more than zram can still absorb: what can still be swapped out
    /// (Active(anon) + Inactive(anon) + MemAvailable) and each device's mem_limit at its ratio (ZramSwapBound,
    /// docs/kernel.md C.11). Still off by default: the model passed the guest scenarios it was run in once each, not
    /// yet the whole guest suite (docs/daemon.md, "zram-aware free swap"). Opt in with --zram-aware or swap.zram_aware.
    /// </summary>
    public bool ZramAware { get; init; }

    /// <summary>How the memory and swap lines combine.</summary>
    public ThresholdCombination Combination { get; init; } = ThresholdCombination.MemoryAndSwap;

    /// <summary>How long the full-stall share must stay at or above <see cref="PsiFullPercent"/> before it is a kill condition; 0 = at once.</summary>
    public long PsiFullDurationMs { get; init; }

    /// <summary>
    /// The thrash condition (docs/daemon.md, "The thrash condition"): a full-stall share of each short window
    /// (<see cref="ThrashWindowMs"/>) at or above this level while the kernel swaps back at least
    /// <see cref="ThrashRefaultsPerSecond"/> anonymous pages a second it had just evicted, and at least
    /// <see cref="ThrashTracker.MinSwapInPercent"/> pages come in for every 100 that go out, held for
    /// <see cref="ThrashDurationMs"/>, is a kill condition of its own; null turns it off. It ends a working set
    /// thrashing on swap within seconds, where the 10 s full-stall condition needs 6 s of stall at the least. On at
    /// 40 %: counting only anonymous refaults and requiring swap-ins to keep up with swap-outs keeps it quiet while a
    /// machine merely pushes cold pages into zram (the guest scenario `zram-idle`), which made it fire when it counted
    /// page-cache refaults too.
    /// </summary>
    public double? ThrashFullPercent { get; init; } = 40;

    /// <summary>The window of the thrash condition's stall share and refault rate.</summary>
    public long ThrashWindowMs { get; init; } = 1000;

    /// <summary>How long the thrash condition must hold, at every sample, before it is a kill condition; 0 = at once.</summary>
    public long ThrashDurationMs { get; init; } = 1000;

    /// <summary>The refault rate (anonymous pages per second; page cache too only before Linux 5.9) the thrash condition needs besides the stall; 0 = no refault rate needed (the swap-in share still applies where it is known).</summary>
    public double ThrashRefaultsPerSecond { get; init; } = 250;

    /// <summary>A "some" memory stall share of <see cref="PsiSomeWindowMs"/> that is a kill condition of its own; null = off (the default).</summary>
    public double? PsiSomePercent { get; init; }

    /// <summary>The window of the some-stall condition.</summary>
    public long PsiSomeWindowMs { get; init; } = 10_000;

    /// <summary>How long the some-stall share must stay at or above <see cref="PsiSomePercent"/>; 0 = at once.</summary>
    public long PsiSomeDurationMs { get; init; }

    /// <summary>What dies with the chosen victim besides its mm sharers.</summary>
    public KillScope KillScope { get; init; } = KillScope.Process;

    /// <summary>Rules in order: the configuration's, then (when <see cref="DesktopDefaults"/> is on) the built-in desktop ones.</summary>
    public IReadOnlyList<PolicyRule> Rules { get; init; } = [];

    /// <summary>Whether the built-in desktop rules apply (browser renderers first, the session and display server protected).</summary>
    public bool DesktopDefaults { get; init; } = true;

    /// <summary>Choose the cgroup first, then the victim inside it (auto: on when the machine runs cgroup v2 under systemd).</summary>
    public ChoiceMode CgroupFirst { get; init; } = ChoiceMode.Auto;

    /// <summary>Rank Kubernetes pods by QoS class as the kubelet's eviction does (auto: on when kubepods cgroups exist).</summary>
    public ChoiceMode Kubernetes { get; init; } = ChoiceMode.Auto;

    /// <summary>Do everything (sense, decide, choose, log) except send signals and reap.</summary>
    public bool DryRun { get; init; }

    /// <summary>
    /// Where the victim in flight is written (file `victim`), so that an instance started while its memory is still
    /// coming back adopts it instead of choosing a second one. /run/reapd is the unit's RuntimeDirectory; a directory
    /// that does not exist turns the file off (said in the start event). Null: off.
    /// </summary>
    public string? StateDirectory { get; init; } = "/run/reapd";

    /// <summary>A description of the first invalid setting, or null when the configuration is usable.</summary>
    public string? Validate() =>
        // The rules as the daemon will run them: a bad pattern or effect is named with the rule and where it was written.
        ValidateSettings() ?? (RuleSet.TryCompile(RuleSet.RulesOf(this), out string? problem) is null ? problem : null);

    /// <summary>
    /// <see cref="Validate"/> without compiling the rules: for the decision core, which applies no rules, on a reload
    /// whose rules the reload thread compiled (and so checked) already.
    /// </summary>
    public string? ValidateSettings()
    {
        if (!(TermPercent > 0 && TermPercent < 100))
        {
            return $"term level {TermPercent} % must be above 0 and below 100";
        }
        if (!(KillPercent > 0 && KillPercent <= TermPercent))
        {
            return $"kill level {KillPercent} % must be above 0 and at most the term level {TermPercent} %";
        }
        if (GraceMs < 0)
        {
            return "the SIGTERM grace must not be negative";
        }
        if (SettleTimeoutMs <= 0)
        {
            return "the settle timeout must be positive";
        }
        if (ScanDeadlineMs <= 0)
        {
            return "the scan deadline must be positive";
        }
        if (PsiFullPercent is double psi && !(psi > 0 && psi <= 100))
        {
            return $"the PSI full-stall level {psi} % must be above 0 and at most 100";
        }
        double swapTerm = SwapTermPercent ?? TermPercent, swapKill = SwapKillPercent ?? KillPercent;
        if (!(swapTerm >= 0 && swapTerm < 100))
        {
            return $"swap term level {swapTerm} % must be at least 0 and below 100";
        }
        if (!(swapKill >= 0 && swapKill <= swapTerm))
        {
            return $"swap kill level {swapKill} % must be at least 0 and at most the swap term level {swapTerm} %";
        }
        if (PsiSomePercent is double some && !(some > 0 && some <= 100))
        {
            return $"the PSI some-stall level {some} % must be above 0 and at most 100";
        }
        if (ThrashFullPercent is double thrash && !(thrash > 0 && thrash <= 100))
        {
            return $"the thrash stall level {thrash} % must be above 0 and at most 100";
        }
        if (ThrashWindowMs <= 0 || ThrashDurationMs < 0)
        {
            return "the thrash window must be positive and its duration not negative";
        }
        if (!(ThrashRefaultsPerSecond >= 0))
        {
            return $"the thrash refault rate {ThrashRefaultsPerSecond} must not be negative";
        }
        if (PsiFullWindowMs <= 0 || PsiSomeWindowMs <= 0)
        {
            return "a PSI stall window must be positive";
        }
        if (PsiFullDurationMs < 0 || PsiSomeDurationMs < 0)
        {
            return "a PSI stall duration must not be negative";
        }
        if (!Enum.IsDefined(Combination))
        {
            return $"unknown threshold combination {(int)Combination}";
        }
        return null;
    }
}
