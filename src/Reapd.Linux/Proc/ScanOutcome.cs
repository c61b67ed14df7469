namespace Reapd.Linux.Proc;

/// <summary>How a scan of processes ended. Only Complete means every listed process that still existed was read.</summary>
public enum ScanOutcome
{
    /// <summary>Every process was read (those that vanished mid-scan are left out: a normal race).</summary>
    Complete,
    /// <summary>
    /// EMFILE or ENFILE: reapd (or the system) ran out of file descriptors, so the scan stopped; the ranking holds only
    /// the processes read before. Choosing from it could pick the wrong victim: report it, do not act on it blindly.
    /// </summary>
    OutOfFileDescriptors,
    /// <summary>The process list (the /proc root or the cgroup's procs file) could not be read at all; nothing ranked.</summary>
    ListUnreadable,
}
