using Reapd.Announce;
using Reapd.Core.Daemon;

namespace Reapd.Daemon;

/// <summary>What `reapd run` was asked to do: the daemon configuration plus where to guard, how to log, what to export and whom to tell about a kill.</summary>
internal sealed record RunOptions(DaemonConfig Config, string? CgroupPath, bool Json)
{
    /// <summary>`reapd` with no arguments: the built-in defaults on the whole machine.</summary>
    public static RunOptions Defaults { get; } = new(new DaemonConfig(), null, Json: false);

    /// <summary>--metrics-file: node_exporter's textfile collector reads it (docs/metrics.md).</summary>
    public string? MetricsFile { get; init; }

    /// <summary>--metrics-listen: the address GET /metrics is served on.</summary>
    public System.Net.IPEndPoint? MetricsListen { get; init; }

    /// <summary>Whom to tell about a kill: desktop notifications and the kill hooks (docs/notifications.md).</summary>
    public AnnounceOptions Announce { get; init; } = AnnounceOptions.Default;

    /// <summary>--record: where the decision core's inputs and commands are written for `reapd replay` (docs/reliability.md).</summary>
    public string? RecordPath { get; init; }

    /// <summary>--record-max-mib: the cap on the recording and its rotated predecessor together.</summary>
    public long RecordMaxBytes { get; init; } = DecisionRecorder.DefaultMaxBytes;

    /// <summary>--config FILE; null: the default path (/etc/reapd/reapd.toml) when it exists. SIGHUP reads it again.</summary>
    public string? ConfigPath { get; init; }

    /// <summary>The configuration file these options were read from; null when none was (built-in defaults).</summary>
    public string? ConfigFileRead { get; init; }

    /// <summary>The command line's options, laid over the file again at every reload.</summary>
    public RunOverrides Overrides { get; init; } = new();
}
