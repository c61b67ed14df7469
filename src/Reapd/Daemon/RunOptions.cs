using Reapd.Core.Daemon;

namespace Reapd.Daemon;

/// <summary>What `reapd run` was asked to do: the daemon configuration plus where to guard and how to log.</summary>
internal sealed record RunOptions(DaemonConfig Config, string? CgroupPath, bool Json, bool Help);
