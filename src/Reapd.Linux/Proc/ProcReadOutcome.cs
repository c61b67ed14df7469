namespace Reapd.Linux.Proc;

/// <summary>How reading one /proc (or cgroup) file ended. Only Ok carries data; none of the others is an exception.</summary>
public enum ProcReadOutcome
{
    Ok,
    /// <summary>The process (or file) is gone: ENOENT or ESRCH, a normal race for a process that exits mid-scan.</summary>
    Gone,
    /// <summary>EACCES or EPERM: not allowed to read it.</summary>
    Denied,
    /// <summary>The file was read but did not parse (or did not fit the buffer).</summary>
    Malformed,
    /// <summary>
    /// EMFILE or ENFILE: reapd (or the whole system) is out of file descriptors, so nothing can be read until some are
    /// closed. Not a property of the process: a scan that meets it says so instead of leaving the process out.
    /// </summary>
    OutOfFileDescriptors,
    /// <summary>Any other errno.</summary>
    Failed,
}
