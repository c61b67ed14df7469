namespace Reapd.Model.Daemon;

/// <summary>The reaper thread: idle, working on one victim's process_mrelease, or holding its answer for the loop.</summary>
internal enum ReaperThreadPc : byte
{
    Idle,
    Busy,
    Answered,
}
