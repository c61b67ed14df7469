namespace Reapd.Core.Daemon;

/// <summary>What the governor needs to know about the victim in flight, if any.</summary>
public readonly record struct VictimStatus(VictimPhase Phase, VictimId Victim, long TermSentMs)
{
    public static VictimStatus NoVictim => default;
}
