using System.Diagnostics;
using System.Globalization;
using Reapd.Testing;

namespace Reapd.Linux.Tests.Sensors;

/// <summary>Starts tests/native/hog.c inside a test cgroup (it joins it itself and sets oom_score_adj 1000).</summary>
internal static class Hogs
{
    /// <summary>Starts a hog and returns at once (it may be OOM-killed before it is ready).</summary>
    public static Process Launch(TestCgroup cgroup, long mib)
    {
        var psi = new ProcessStartInfo(NativeProgram.Build("hog")) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string arg in new[] { "--mib", mib.ToString(CultureInfo.InvariantCulture), "--cgroup-procs", Path.Combine(cgroup.Path, "cgroup.procs") })
        {
            psi.ArgumentList.Add(arg);
        }
        return Process.Start(psi)!;
    }

    /// <summary>Starts a hog and waits (bounded) until all its memory is touched.</summary>
    public static Process Start(TestCgroup cgroup, long mib)
    {
        Process hog = Launch(cgroup, mib);
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < TimeSpan.FromSeconds(30))
        {
            string? line = hog.StandardOutput.ReadLine();
            if (line is null)
            {
                break;
            }
            if (line.Contains(" ready ", StringComparison.Ordinal))
            {
                return hog;
            }
        }
        hog.Kill();
        throw new InvalidOperationException("hog never became ready: " + hog.StandardError.ReadToEnd());
    }
}
