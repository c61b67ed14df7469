namespace Reapd.Model.Kernel;

/// <summary>An optional task holding an mm_users reference (a /proc/PID/cmdline reader, ptrace).</summary>
internal enum HolderPc
{
    Absent,
    Idle,
    Holding,
    InMmput,
    Done,
}
