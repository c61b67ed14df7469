namespace Reapd.Bench;

/// <summary>One daemon in one idle window: CPU time used (utime+stime), and RSS/PSS at the window's end.</summary>
internal sealed record IdleResult(string Daemon, int Window, double WindowS, double CpuMs, long RssKiB, long PssKiB)
{
    public double CpuPercentOfCore => CpuMs / 10 / WindowS;
}
