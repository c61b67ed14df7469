namespace Reapd.Model.Daemon;

/// <summary>
/// Paths of the daemon model that a safe verdict needs to have gone through (a property that holds only because its
/// case was never reached proves nothing). The model marks each as the explorer takes it.
/// </summary>
public enum DaemonEvent
{
    LaggingSample,
    PidReusedCaught,
    GoneBeforeSignal,
    SigtermSent,
    EscalatedToSigkill,
    SharerSigkilled,
    SharerSkippedByRecheck,
    SharersKilledAfterExit,
    ReapReleased,
    ReapEsrch,
    ReapEinvalRound,
    ReapFailed,
    ReaperBlocked,
    ReaperBusy,
    StaleReapAnswerDropped,
    SettledReaped,
    SettledReapedShmemExit,
    SettledExited,
    SettledStuck,
    SettledTimeout,
    Retarget,
}
