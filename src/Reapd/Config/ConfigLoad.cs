using Reapd.Daemon;

namespace Reapd.Config;

/// <summary>
/// What reading a configuration gave: the options (built-in defaults overlaid with the file's keys) when the file is
/// good, or every problem found. <see cref="File"/> is null when no file was read (the default path did not exist).
/// </summary>
internal sealed record ConfigLoad(RunOptions? Options, IReadOnlyList<ConfigProblem> Problems, string? File)
{
    public bool Ok => Options is not null && Problems.Count == 0;
}
