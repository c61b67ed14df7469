namespace Reapd.Core.Decision;

/// <summary>What the governor tells the daemon to do after one sample.</summary>
public enum DecisionKind
{
    /// <summary>Memory is fine and no victim is in flight.</summary>
    Nothing,
    /// <summary>Choose the top candidate and SIGTERM it (grace follows).</summary>
    Terminate,
    /// <summary>Choose the top candidate and SIGKILL it, then reap.</summary>
    Kill,
    /// <summary>SIGKILL the victim already SIGTERMed, then reap: no new choice.</summary>
    Escalate,
    /// <summary>A victim is in flight (grace running, or its memory still coming back): choose nobody.</summary>
    Wait,
}
