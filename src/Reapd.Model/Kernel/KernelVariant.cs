namespace Reapd.Model.Kernel;

/// <summary>
/// One version of the OOM reaper / exit_mmap protocol (docs/kernel.md B.4), as the switches the model's steps read.
/// </summary>
public sealed record KernelVariant(
    string Name,
    string Title,
    ReaperGuard Guard,
    bool ReaperTakesOomLock,
    ExitMmapProtocol ExitMmap,
    bool MarksMmOomVictim,
    bool DelaysReaper,
    bool HasMrelease,
    bool MreleaseRechecksSkip,
    bool ResetsVmaList,
    bool SelectAbortsOnVictim,
    bool ReaperPinsUsers = true);
