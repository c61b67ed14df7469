namespace Reapd.Core.Daemon;

public enum SettleVerdictKind
{
    /// <summary>The gate is open: no victim.</summary>
    NoVictim,
    /// <summary>A victim is in flight: no new choice.</summary>
    InFlight,
    /// <summary>The victim just settled (this verdict is given once); the gate is open again.</summary>
    Settled,
}
