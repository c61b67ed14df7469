namespace Reapd.Bench;

/// <summary>
/// earlyoom (Debian package, 1.7): -m 10,5 = SIGTERM below 10 %, SIGKILL below 5 % of MemTotal available;
/// -s 100,100 makes the swap condition always true where there is no swap (earlyoom ANDs memory and swap); with
/// swap (the swap-thrash scenarios) it gets the same lines on swap, -s 10,5, as nohang's and reapd's swap lines;
/// -r 3600 is the packaged report interval (/etc/default/earlyoom); --avoid keeps it off other users' test helpers
/// (<see cref="SharedMachineNames"/>). It has no cgroup scope.
/// </summary>
internal sealed class Earlyoom : Daemon
{
    public override string Name => "earlyoom";

    public override bool HasCgroupScope => false;

    protected override (string, string[], Func<string, bool>) Command(BenchScope scope, WorkloadCgroup cgroup, string workDir) =>
        ("earlyoom",
         ["-m", $"{BenchScope.TermPercent},{BenchScope.KillPercent}", "-s", ProcFiles.MemInfoKiB("SwapTotal") > 0 ? $"{BenchScope.TermPercent},{BenchScope.KillPercent}" : "100,100", "-r", "3600", "--avoid", SharedMachineNames.Pattern],
         line => line.StartsWith("mem avail:", StringComparison.Ordinal));
}
