namespace Reapd.Linux.Kill;

/// <summary>The bounds of one <see cref="Reaper.Run"/>: the kernel's own oom_reaper makes 10 attempts HZ/10 apart.</summary>
public readonly record struct ReapSettings(int MaxAttempts = 10, int RetryDelayMs = 100, int MaxSharerRounds = 3)
{
    public static ReapSettings Default => new(10, 100, 3);
}
