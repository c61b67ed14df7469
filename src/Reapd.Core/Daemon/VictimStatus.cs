namespace Reapd.Core.Daemon;

/// <summary>What the governor needs to know about the victim in flight, if any. Gone: its pidfd became readable (it exited).</summary>
public readonly record struct VictimStatus(VictimPhase Phase, VictimId Victim, long TermSentMs, bool Gone = false)
{
    public static VictimStatus NoVictim => default;
}
