namespace Reapd.Model.Kernel;

/// <summary>The victim's main thread in do_exit().</summary>
internal enum VictimPc
{
    Alive,
    InMmput,
    Done,
}
