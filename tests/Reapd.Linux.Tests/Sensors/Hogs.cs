using System.Globalization;
using Reapd.Testing;

namespace Reapd.Linux.Tests.Sensors;

/// <summary>Starts tests/native/hog.c inside a test cgroup (it joins it itself and sets oom_score_adj 1000).</summary>
internal static class Hogs
{
    /// <summary>Starts a hog and returns at once (it may be OOM-killed before it is ready).</summary>
    public static HelperProcess Launch(TestCgroup cgroup, long mib) =>
        HelperProcess.Start("hog", ["--mib", mib.ToString(CultureInfo.InvariantCulture), "--cgroup-procs", Path.Combine(cgroup.Path, "cgroup.procs")]);

    /// <summary>Starts a hog and waits (bounded) until all its memory is touched.</summary>
    public static HelperProcess Start(TestCgroup cgroup, long mib)
    {
        HelperProcess hog = Launch(cgroup, mib);
        hog.WaitForLine(" ready ", 30_000);
        return hog;
    }
}
