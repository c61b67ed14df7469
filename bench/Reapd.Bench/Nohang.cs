using System.Text.RegularExpressions;

namespace Reapd.Bench;

/// <summary>
/// nohang (Debian package, 0.2.0) with the packaged /etc/nohang/nohang.conf, except its memory lines set to ours:
/// soft (SIGTERM) below 10 %, hard (SIGKILL) below 5 % of MemTotal available. Swap lines stay (no swap here: swap
/// free 0 is always below them), plus one badness rule (−300) for other users' test helpers
/// (<see cref="SharedMachineNames"/>). It has no cgroup scope.
/// </summary>
internal sealed partial class Nohang : Daemon
{
    public override string Name => "nohang";

    public override bool HasCgroupScope => false;

    protected override (string, string[], Func<string, bool>) Command(BenchScope scope, WorkloadCgroup cgroup, string workDir)
    {
        string config = Path.Combine(workDir, "nohang.conf");
        string text = File.ReadAllText("/etc/nohang/nohang.conf");
        text = SoftLine().Replace(text, $"soft_threshold_min_mem = {BenchScope.TermPercent} %");
        text = HardLine().Replace(text, $"hard_threshold_min_mem = {BenchScope.KillPercent} %");
        text += $"\n@BADNESS_ADJ_RE_NAME  -300  ///  {SharedMachineNames.Pattern}\n";
        File.WriteAllText(config, text);
        return ("nohang", ["--monitor", "-c", config], line => line.Contains("Monitoring has started", StringComparison.Ordinal));
    }

    [GeneratedRegex(@"^soft_threshold_min_mem\s*=.*$", RegexOptions.Multiline)]
    private static partial Regex SoftLine();

    [GeneratedRegex(@"^hard_threshold_min_mem\s*=.*$", RegexOptions.Multiline)]
    private static partial Regex HardLine();
}
