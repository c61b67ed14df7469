namespace Reapd.Core.Decision;

/// <summary>The two signals the core sends.</summary>
public enum KillSignal : byte
{
    SigTerm,
    SigKill,
}
