namespace Reapd.Model.Userspace;

/// <summary>A separate process sharing the victim's mm (clone(CLONE_VM), vfork).</summary>
internal enum SharerPc
{
    Absent,
    Alive,
    InMmput,
    Done,
}
