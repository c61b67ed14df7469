namespace Reapd.Bench;

/// <summary>A small hog holds memory while a big one ramps: the big one must die, and only it.</summary>
internal sealed class SmallAndBigScenario : Scenario
{
    public override string Slug => "small-and-big";

    public override string Title => "A small hog holding memory and a big one ramping";

    public override string Description =>
        "A small hog (a sixth of the way to the kill line) allocates first and holds its memory; then a big hog ramps "
        + "at about 1 GiB/s (128 MiB/s in quick mode) past the kill line. Both run at oom_score_adj 1000 and ignore "
        + "SIGTERM. Right outcome: the big hog killed, the small one alive. A kill of the small hog (usually a second "
        + "victim picked before the big one's memory was back) is an extra kill.";

    /// <summary>3 GiB: when the SIGTERM line (1.2 GiB above the kill line) is crossed, the big hog is then well past
    /// the small one (about 1.3 against 0.5 GiB), so the first SIGTERM already goes to the right one. With 2 GiB the two
    /// were level there, and a killer that keeps its SIGTERMed victim for the SIGKILL could take the small one.</summary>
    public override long RampAboveKillLineKiB => 3072L * 1024;

    public override Workload Start(ScenarioContext c)
    {
        var w = new Workload(c);
        long smallMiB = c.Mib(c.RampKiB / 6);
        var small = w.Add(StartHog(c, "small-hog", smallMiB, 0), "bystander");
        if (small.WaitForLine(l => l.Contains(" ready ", StringComparison.Ordinal), TimeSpan.FromSeconds(30)) is null)
        {
            w.Dispose();
            throw new InvalidOperationException("the small hog did not get ready");
        }
        long bigMiB = c.Mib(c.RampKiB - (c.RampKiB / 6) + c.Scope.KillLineKiB + (512 * 1024));
        w.Add(StartHog(c, "big-hog", bigMiB, c.RampRateMiBs), "victim");
        return w;
    }
}
