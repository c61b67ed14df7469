namespace Reapd.Bench;

/// <summary>
/// reapd run, published NativeAOT: --term-percent 10 --kill-percent 5 of the total (or of the cgroup's limit with
/// --cgroup), --grace 10s (as nohang's max_soft_exit_time, so SIGKILL is driven by the kill line here, as for the
/// peers), --json events on stdout, --protect for other users' test helpers (<see cref="SharedMachineNames"/>).
/// Named "reapd", or "reapd-base" for the --baseline binary, which gets the very same command line.
/// </summary>
internal sealed class ReapdDaemon(string name, string binary, IReadOnlyList<string> protectedNames) : Daemon
{
    public override string Name => name;

    public override bool HasCgroupScope => true;

    protected override (string, string[], Func<string, bool>) Command(BenchScope scope, WorkloadCgroup cgroup, string workDir)
    {
        var args = new List<string> { "run", "--term-percent", BenchScope.TermPercent.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--kill-percent", BenchScope.KillPercent.ToString(System.Globalization.CultureInfo.InvariantCulture), "--grace", "10s", "--json" };
        foreach (string name in protectedNames)
        {
            args.Add("--protect");
            args.Add(name);
        }
        if (scope.IsCgroup)
        {
            args.Add("--cgroup");
            args.Add(cgroup.Path);
        }
        // Its start event comes once it is watching: after its warm-up kill of its own `sleep` child
        // (docs/reliability.md), so that kill is over before the workload starts.
        return (binary, [.. args], IsStartEvent);
    }

    /// <summary>reapd's `start` event (`--json`): one JSON object whose "event" is "start".</summary>
    public static bool IsStartEvent(string line) =>
        line.StartsWith('{') && line.Contains("\"event\":\"start\"", StringComparison.Ordinal);
}
