using System.Globalization;
using Reapd.Testing;

namespace Reapd.Tests;

/// <summary>tests/native/hog.c joining a test cgroup itself (its oom_score_adj is 1000), as an end-to-end test starts it.</summary>
internal static class RunHogs
{
    public static HelperProcess Start(TestCgroup cgroup, long mib, long rateMiBPerSecond = 0, bool ignoreTerm = true)
    {
        var args = new List<string> { "--mib", mib.ToString(CultureInfo.InvariantCulture), "--cgroup-procs", Path.Combine(cgroup.Path, "cgroup.procs") };
        if (rateMiBPerSecond > 0)
        {
            args.AddRange(["--rate-mib-s", rateMiBPerSecond.ToString(CultureInfo.InvariantCulture)]);
        }
        if (ignoreTerm)
        {
            args.Add("--ignore-term");
        }
        return HelperProcess.Start("hog", [.. args]);
    }
}
