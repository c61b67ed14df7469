namespace Reapd.Bench;

/// <summary>
/// Not an OOM killer: bench/native/wakefloor.c, which wakes once a second and does nothing else. The idle scenario
/// runs it beside the daemons as the floor of what a once-a-second watch costs on this machine (the timer's wake-up,
/// the context switches), so a daemon's idle CPU can be read against it as well as against its peers.
/// </summary>
internal sealed class WakeFloor(string program) : Daemon
{
    public override string Name => "wake-floor";

    public override bool HasCgroupScope => false;

    protected override (string, string[], Func<string, bool>) Command(BenchScope scope, WorkloadCgroup cgroup, string workDir) =>
        (program, [], line => line.StartsWith("wakefloor:", StringComparison.Ordinal));
}
