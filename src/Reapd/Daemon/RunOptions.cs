using Reapd.Core.Daemon;

namespace Reapd.Daemon;

/// <summary>What `reapd run` was asked to do: the daemon configuration plus where to guard and how to log.</summary>
internal sealed record RunOptions(DaemonConfig Config, string? CgroupPath, bool Json, bool Help)
{
    /// <summary>--metrics-file: node_exporter's textfile collector reads it (docs/metrics.md).</summary>
    public string? MetricsFile { get; init; }

    /// <summary>--metrics-listen: the address GET /metrics is served on.</summary>
    public System.Net.IPEndPoint? MetricsListen { get; init; }
}
