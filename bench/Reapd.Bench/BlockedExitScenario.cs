namespace Reapd.Bench;

/// <summary>
/// The victim's exit is blocked by a thread stuck on a FUSE request that is never answered (tests/native/fuse_stuck.c):
/// after SIGKILL it stays a zombie with one thread in D state still holding its memory, which only a reaper
/// (process_mrelease, or the kernel's oom_reaper) frees. A decoy hog, big enough to lift available memory back above
/// the SIGTERM line, is the "something else" a killer that cannot reap picks next.
/// </summary>
internal sealed class BlockedExitScenario : Scenario
{
    public override string Slug => "blocked-exit";

    public override string Title => "Blocked exit: a victim stuck on a FUSE request";

    public override string Description =>
        "A decoy hog holds memory (enough to lift available memory above the SIGTERM line if it is killed); then the "
        + "victim, whose second thread is blocked in a read on a FUSE file whose server never answers, grows at about "
        + "1 GiB/s past the kill line. After SIGKILL the victim cannot exit: its memory is freed only by a reaper "
        + "(process_mrelease, or the kernel's oom_reaper after a kernel OOM kill). Right outcome: the victim killed and "
        + "its memory back at once, the decoy alive. A killer that cannot reap sees no memory come back and kills the "
        + "decoy (an extra kill). At the end the runner aborts the FUSE connection so the victim can exit.";

    /// <summary>Long enough to see a peer give up on the stuck victim (earlyoom waits up to 10 s) and kill again.</summary>
    public override double TailS => 14;

    public override double TimeoutS => 60;

    public override string? SkipReason(NativeBinaries programs, BenchScope scope) => programs.FuseStuckMissing;

    public override Workload Start(ScenarioContext c) =>
        throw new InvalidOperationException("the blocked-exit workload is wired once tests/native/fuse_stuck.c is in the tree");
}
