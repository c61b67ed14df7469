namespace Reapd.Model.Userspace;

/// <summary>The process reapd's pidfd refers to; a pidfd pins its struct pid.</summary>
internal enum PidfdTarget
{
    None,
    V1,
    N,
}
