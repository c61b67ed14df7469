namespace Reapd.Bench;

/// <summary>The built C programs; FuseStuck is null while tests/native/fuse_stuck.c is not in the tree.</summary>
internal sealed record NativeBinaries(string Hog, string Forkstorm, string Ballast, string SigBlock, string WakeFloor, string? FuseStuck, string? FuseStuckMissing);
