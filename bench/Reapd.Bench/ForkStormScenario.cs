using System.Globalization;

namespace Reapd.Bench;

/// <summary>Many small processes compete for memory while short-lived children come and go.</summary>
internal sealed class ForkStormScenario : Scenario
{
    private const int ChurnPerSecond = 50;

    public override string Slug => "fork-storm";

    public override string Title => "Many small processes competing (fork-heavy)";

    public override string Description =>
        $"A parent forks 12 workers (8 in quick mode) that together grow at about 1 GiB/s (128 MiB/s in quick "
        + $"mode) to a total that would run past zero available by a quarter of the way to the kill line, while it forks {ChurnPerSecond} short-lived children a second "
        + "(each touches 1 MiB and exits), so pids appear and vanish under the killers' /proc scans. Everything runs "
        + "at oom_score_adj 1000 and ignores SIGTERM. Any worker is a fair victim; the count to watch is how many die, and how many of "
        + "those kills came while the previous victim's memory was not back yet (premature kills). A kill of the "
        + "parent (it holds no memory) counts as an extra kill.";

    public override double TimeoutS => 45;

    public override Workload Start(ScenarioContext c)
    {
        // Workers of ~300 MiB: smaller ones would be outranked by other users' test hogs on a shared machine.
        int workers = c.Quick ? 8 : 12;
        // Past zero available by a quarter of the ramp: the kernel must act too, and the daemons need several kills.
        long totalKiB = c.RampKiB + c.Scope.KillLineKiB + (c.RampKiB / 4);
        long eachMiB = Math.Max(4, totalKiB / 1024 / workers);
        var w = new StormWorkload(c);
        var parent = ChildProcess.Start("forkstorm", c.Programs.Forkstorm,
        [
            "--workers", workers.ToString(CultureInfo.InvariantCulture),
            "--mib-each", eachMiB.ToString(CultureInfo.InvariantCulture),
            "--rate-mib-s", c.RampRateMiBs.ToString(CultureInfo.InvariantCulture),
            "--churn-per-s", ChurnPerSecond.ToString(CultureInfo.InvariantCulture),
            "--page", "thp", "--ignore-term", "--cgroup-procs", c.Cgroup.ProcsFile,
        ]);
        w.Add(parent, "parent");
        if (parent.WaitForLine(l => l.StartsWith("forkstorm ", StringComparison.Ordinal), TimeSpan.FromSeconds(10)) is null)
        {
            w.Dispose();
            throw new InvalidOperationException("forkstorm did not start:\n" + parent.Log());
        }
        w.Workers = workers;
        return w;
    }

    private sealed class StormWorkload(ScenarioContext context) : Workload(context)
    {
        private int _seenLines;

        public int Workers { get; set; }

        public override void Refresh()
        {
            var parent = Processes[0];
            var lines = parent.Lines;
            for (; _seenLines < lines.Count; _seenLines++)
            {
                string[] parts = lines[_seenLines].Line.Split(' ');
                if (parts.Length >= 3 && parts[0] == "worker" && parts[2] == "start")
                {
                    SetRole(int.Parse(parts[1], CultureInfo.InvariantCulture), "worker");
                }
            }
        }

        /// <summary>Every worker finished its allocation or died.</summary>
        public override bool Done
        {
            get
            {
                Refresh();
                var lines = Processes[0].Lines;
                var ready = lines.Where(l => l.Line.StartsWith("worker ", StringComparison.Ordinal) && l.Line.Contains(" ready ", StringComparison.Ordinal))
                    .Select(l => l.Line.Split(' ')[1]).ToHashSet();
                var workers = PidsWithRole("worker");
                return workers.Count >= Workers
                    && workers.All(p => ready.Contains(p.ToString(CultureInfo.InvariantCulture)) || IsDeadOrDying(p));
            }
        }
    }
}
