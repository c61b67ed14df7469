using System.Globalization;

namespace Reapd.Bench;

/// <summary>
/// The long-lived ballast process (bench/native/ballast.c) that holds most of the machine's available memory
/// across the system-wide runs, so each run's hog only ramps through the last few GiB. It runs at
/// oom_score_adj -1000: neither the kernel nor any of the daemons may choose it, and a kill of it is counted as a
/// wrong kill. It dies with the runner (PR_SET_PDEATHSIG, and end of its stdin).
/// </summary>
internal sealed class Ballast : IDisposable
{
    private readonly ChildProcess _process;

    public long HeldMiB { get; private set; }

    public int Pid => _process.Pid;

    public Ballast(string binary)
    {
        _process = ChildProcess.Start("ballast", binary, ["--adj", "-1000"], keepStdin: true);
    }

    public bool IsAlive => !_process.HasExited;

    /// <summary>Grows or shrinks the ballast; growing fresh memory in this VM runs at about 1 GiB/s.</summary>
    public void Set(long mib)
    {
        mib = Math.Max(0, mib) / 64 * 64;
        int skip = _process.LineCount;
        _process.WriteLine("set " + mib.ToString(CultureInfo.InvariantCulture));
        var reply = _process.WaitForLine(l => l.StartsWith("ballast ", StringComparison.Ordinal), TimeSpan.FromSeconds(120), skip)
            ?? throw new InvalidOperationException("the ballast did not answer: " + string.Join(" | ", _process.Errors));
        HeldMiB = long.Parse(reply.Line.Split(' ')[2], CultureInfo.InvariantCulture);
    }

    public void Dispose() => _process.Dispose();
}
