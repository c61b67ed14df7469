namespace Reapd.Core.Policy;

/// <summary>
/// What a rule matches. Every criterion given must match (and); a rule with none is refused by the configuration
/// reader. The strings are as written in the configuration; the rule engine compiles them once per load.
/// </summary>
public sealed record RuleMatch
{
    /// <summary>The process name, /proc/PID/comm (at most 15 bytes), compared exactly.</summary>
    public string? Comm { get; init; }

    /// <summary>A regular expression searched in the command line (arguments joined by single spaces).</summary>
    public string? Cmdline { get; init; }

    /// <summary>
    /// A regular expression that must NOT be found in the command line (checked only when the rule has another
    /// criterion). Lets a rule tell a program's main process from its children that share its comm and executable
    /// (a browser's main process has no `--type=` argument, its renderers do).
    /// </summary>
    public string? CmdlineNot { get; init; }

    /// <summary>The executable's path (/proc/PID/exe), compared exactly; a glob when it contains * ? or [.</summary>
    public string? Exe { get; init; }

    /// <summary>
    /// A glob on the cgroup v2 path (or the v1 memory controller's path) from /proc/PID/cgroup: `*` stays within one
    /// path component, `**` crosses them (/system.slice/*.service, /kubepods.slice/**).
    /// </summary>
    public string? Cgroup { get; init; }

    /// <summary>A user name or a numeric uid (the real uid), resolved when the configuration is loaded.</summary>
    public string? User { get; init; }

    /// <summary>The uid <see cref="User"/> resolved to, when given.</summary>
    public uint? Uid { get; init; }

    public bool IsEmpty => Comm is null && Cmdline is null && Exe is null && Cgroup is null && User is null;
}
