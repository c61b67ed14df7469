namespace Reapd.Bench;

/// <summary>
/// One process the run saw killed: when (the kernel's signal_generate time, or the runner's observation of the
/// death), whom (pid, role), by whom (the daemon, "kernel" for the OOM killer, "other"), its resident size just before
/// (KiB), when its memory was back (NaN: not within the run), and whether it was premature (issued while the
/// previous victim's memory was not back yet).
/// </summary>
internal sealed record KillRecord(double TimeS, int Pid, string Role, string By, long RssKiB, bool FromTrace)
{
    public double MemoryBackS { get; set; } = double.NaN;

    public double FreedS { get; set; } = double.NaN;

    public bool Premature { get; set; }

    /// <summary>The sampler's gap around the kill: from the last sample before it to the first after it, ms (NaN: no
    /// sample on one side). Every figure read "at" the kill is as old as the first part of it.</summary>
    public double SampleGapMs { get; set; } = double.NaN;
}
