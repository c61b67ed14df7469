using Reapd.Core.Selection;

namespace Reapd.Linux.Kill;

/// <summary>
/// What a scan has already decided about processes' rules, with the command line read on the scanner's thread under
/// its deadline. The checks made on the decision loop just before a kill (a victim's mm sharers, the members of a wider
/// kill scope) look a process up here instead of reading its /proc/PID/cmdline, a read that blocks for as long as the
/// process's mm is held (docs/kernel.md E.1).
/// </summary>
public interface IRuleOutcomes
{
    /// <summary>
    /// The scan's verdict on this very process (pid and start time), when the scan evaluated all its rules, command line
    /// included: None, Ignored, Protected or ProtectUnevaluated. False when the scan did not see it, did not finish its
    /// rules, or ranked with another rule set.
    /// </summary>
    bool TryGet(int pid, ulong startTimeTicks, out ExclusionReason exclusion);
}
