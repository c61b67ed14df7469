namespace Reapd.Core.Decision;

/// <summary>How bad memory is in one sample, by the configured thresholds.</summary>
public enum PressureLevel
{
    /// <summary>Above the term level (or the swap still has room): nothing to do.</summary>
    None,
    /// <summary>At or below the term level: SIGTERM the top candidate.</summary>
    Term,
    /// <summary>At or below the kill level, or a sustained full PSI stall: SIGKILL and reap.</summary>
    Kill,
}
