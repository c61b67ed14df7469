namespace Reapd.Daemon;

/// <summary>How a scan of the scope ended. Only Complete means every listed process that still existed was read.</summary>
internal enum ScanEnd
{
    /// <summary>Every listed process was read (those that exited meanwhile are left out: a normal race).</summary>
    Complete,
    /// <summary>The scan's deadline passed first: the ranking holds what was read by then; the rest is skipped and counted.</summary>
    Deadline,
    /// <summary>
    /// Every listed process was reached, but some were dropped at once because another scanner thread is stuck
    /// inside a read of theirs (their mm is held).
    /// </summary>
    SkippedStuck,
    /// <summary>EMFILE or ENFILE: the scan stopped; the ranking holds only the processes read before.</summary>
    OutOfFileDescriptors,
    /// <summary>The process list (the /proc root or the cgroup's procs files) could not be read at all.</summary>
    ListUnreadable,
    /// <summary>Every scanner thread is still inside a read that has not returned: nothing could be scanned.</summary>
    NoFreeScanner,
}
