namespace Reapd.Bench;

/// <summary>
/// The blocked-exit workload of one run (KiB): the stuck victim, the pusher's largest size, how far below the kill
/// line available memory goes before the pusher is stopped, and the slack: memory that may come back elsewhere on the
/// machine during the run while the pusher can still take available memory that deep; and how much must come back
/// after the victim's kill (a reaper at work) before the pusher is stopped.
/// </summary>
internal readonly record struct BlockedExitSizes(long VictimKiB, long PusherKiB, long FreezeBelowLineKiB, long SlackKiB, long ComingBackKiB);
