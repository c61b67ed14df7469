namespace Reapd.Model.Kernel;

/// <summary>What process_mrelease() returned.</summary>
internal enum MreleaseResult
{
    None,
    Zero,
    Esrch,
    Einval,
}
