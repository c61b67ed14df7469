namespace Reapd.Core.Decision;

/// <summary>Why the core asked for a scan.</summary>
public enum ScanPurpose
{
    /// <summary>Choose a new victim (SIGTERM or SIGKILL, by <see cref="DecisionState.PendingAction"/>).</summary>
    Choose,
    /// <summary>The kill level came during a SIGTERM grace: does the SIGKILL still go to the SIGTERMed victim?</summary>
    Retarget,
}
