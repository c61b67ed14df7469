namespace Reapd.Core.Policy;

/// <summary>
/// The process attributes beyond /proc/PID/stat and status that a rule set needs, so the scanner reads cmdline, the
/// exe link and the cgroup file only when some rule looks at them.
/// </summary>
[Flags]
public enum RuleInputs : byte
{
    None = 0,

    /// <summary>/proc/PID/cmdline (a cmdline or cmdline_not criterion).</summary>
    Cmdline = 1,

    /// <summary>readlink /proc/PID/exe.</summary>
    Exe = 2,

    /// <summary>/proc/PID/cgroup.</summary>
    Cgroup = 4,

    /// <summary>The real uid from /proc/PID/status (always read by the scan; listed for completeness).</summary>
    Uid = 8,
}
