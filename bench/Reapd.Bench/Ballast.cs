using System.Globalization;

namespace Reapd.Bench;

/// <summary>
/// The long-lived ballast process (bench/native/ballast.c) that holds most of the machine's available memory
/// across the system-wide runs, so each run's hog only ramps through the last few GiB. It asks for
/// oom_score_adj -1000 (no killer may choose it); where root lacks CAP_SYS_RESOURCE it stays at 0 and is then the
/// first process after the hogs any killer would take (before anything the runner did not start). Either way a kill
/// of it is counted as a wrong kill. It dies with the runner (PR_SET_PDEATHSIG, and end of its stdin).
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

    /// <summary>The oom_score_adj the ballast really runs at (-1000, or 0 without CAP_SYS_RESOURCE).</summary>
    public int OomScoreAdj => int.TryParse(ProcFiles.TryRead($"/proc/{Pid}/oom_score_adj"), CultureInfo.InvariantCulture, out int adj) ? adj : int.MinValue;

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
