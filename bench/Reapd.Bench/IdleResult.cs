namespace Reapd.Bench;

/// <summary>One daemon in one idle window: CPU time used (threads' schedstat runtime, ns precision; and utime+stime
/// in 10 ms ticks as the kernel accounts it to the process), and RSS/PSS at the window's end.</summary>
internal sealed record IdleResult(string Daemon, int Window, double WindowS, double CpuMs, double TicksCpuMs, long RssKiB, long PssKiB)
{
    public double CpuPercentOfCore => CpuMs / 10 / WindowS;
}
