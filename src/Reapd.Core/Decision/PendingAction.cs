namespace Reapd.Core.Decision;

/// <summary>What the core is waiting for the actuator to answer within the current cycle.</summary>
public enum PendingAction : byte
{
    /// <summary>Nothing: the next input is a sample, a reap answer or an exit.</summary>
    None,
    /// <summary>A scan, to SIGTERM the choice.</summary>
    ChooseToTerminate,
    /// <summary>A scan, to SIGKILL the choice.</summary>
    ChooseToKill,
    /// <summary>A scan, to decide whether the kill level's SIGKILL still goes to the SIGTERMed victim.</summary>
    Retarget,
    /// <summary>The outcome of a Signal command.</summary>
    Signal,
}
