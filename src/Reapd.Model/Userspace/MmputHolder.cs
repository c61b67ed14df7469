namespace Reapd.Model.Userspace;

/// <summary>Who runs __mmput() for the victim's mm.</summary>
internal enum MmputHolder
{
    None,
    V1,
    S,
    H,
}
