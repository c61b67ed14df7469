namespace Reapd.Bench;

/// <summary>One hog grows until something acts: paced at about 1 GiB/s, or at full speed.</summary>
internal sealed class RampScenario(bool fullSpeed) : Scenario
{
    public override string Slug => fullSpeed ? "full-speed" : "ramp-1gib";

    public override string Title => fullSpeed ? "One hog at full speed" : "One hog ramping at about 1 GiB/s";

    public override string Description => (fullSpeed
        ? "One hog allocates as fast as it can (transparent huge pages, unpaced)"
        : "One hog allocates at a paced 1 GiB/s (128 MiB/s in quick mode's small cgroup)")
        + " until something kills it; it ignores SIGTERM, so a SIGKILL ends it. It is sized to run past zero available, "
        + "so if no daemon acts the kernel's OOM killer takes it. Right outcome: the hog, and only it, killed soon after "
        + "the kill line is crossed.";

    public override Workload Start(ScenarioContext c)
    {
        var w = new Workload(c);
        long mib = c.Mib(c.RampKiB + c.Scope.KillLineKiB + 512 * 1024);
        w.Add(StartHog(c, "hog", mib, fullSpeed ? 0 : c.RampRateMiBs), "victim");
        return w;
    }
}
