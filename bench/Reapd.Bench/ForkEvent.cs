namespace Reapd.Bench;

/// <summary>
/// One sched:sched_process_fork tracepoint hit: a task (of process ParentTgid; ParentPid is the forking thread)
/// created ChildPid (a process, or a thread of the parent), at TimeS (CLOCK_MONOTONIC seconds). ParentTgid is -1 when
/// the trace did not know the tgid ("-------").
/// </summary>
internal readonly record struct ForkEvent(double TimeS, int ParentTgid, int ParentPid, string ChildComm, int ChildPid);
