using System.Globalization;

namespace Reapd.Testing;

/// <summary>
/// A memory hog (tests/native/hog.c, oom_score_adj 1000) alone in a child memory cgroup, touched and ready, then
/// frozen in a v1 freezer cgroup: a SIGKILL marks it as exiting but it cannot run its exit until thawed, so a reap
/// right after the SIGKILL deterministically finds its mm (TestFreezer explains why). Dispose thaws and removes both.
/// </summary>
public sealed class FrozenHog : IDisposable
{
    private FrozenHog(TestCgroup cgroup, TestFreezer freezer, HelperProcess hog, long usageBeforeBytes)
    {
        Cgroup = cgroup;
        Freezer = freezer;
        Hog = hog;
        UsageBeforeBytes = usageBeforeBytes;
    }

    public TestCgroup Cgroup { get; }

    public TestFreezer Freezer { get; }

    public HelperProcess Hog { get; }

    /// <summary>The cgroup's usage once the hog was ready, before anything was killed.</summary>
    public long UsageBeforeBytes { get; }

    public static FrozenHog Start(long mib, string nameHint)
    {
        long limitBytes = 2 * mib << 20;
        var cgroup = TestCgroup.Create(limitBytes, nameHint);
        var freezer = TestFreezer.Create();
        var hog = HelperProcess.Start("hog", ["--mib", mib.ToString(CultureInfo.InvariantCulture), "--cgroup-procs", Path.Combine(cgroup.Path, "cgroup.procs")]);
        hog.WaitForLine("ready");
        long before = cgroup.UsageBytes;
        Assert.True(before >= mib << 20, $"cgroup usage {before} below the hog's {mib} MiB");
        freezer.Add(hog.Pid);
        freezer.Freeze();
        return new FrozenHog(cgroup, freezer, hog, before);
    }

    public void Dispose()
    {
        Freezer.Dispose();
        Hog.Dispose();
        Cgroup.Dispose();
    }
}
