using System.Diagnostics;

namespace Reapd.Linux.Kill;

/// <summary>
/// The pidfd syscalls, each failure mapped to an outcome value right at the boundary (errno read right after the
/// call). Nothing here throws for a kernel race.
/// </summary>
public static class PidFdSyscalls
{
    /// <summary>pidfd_open(pid, 0).</summary>
    public static PidFdOpenOutcome Open(int pid, out PidFdHandle? handle)
    {
        handle = null;
        if (pid <= 0)
        {
            return PidFdOpenOutcome.NoSuchProcess;
        }
        int fd = Interop.pidfd_open(pid, 0);
        if (fd < 0)
        {
            return Interop.LastErrno switch
            {
                Interop.Errno.ESRCH => PidFdOpenOutcome.NoSuchProcess,
                Interop.Errno.ENOENT or Interop.Errno.EINVAL => PidFdOpenOutcome.NotAProcess,
                Interop.Errno.EMFILE or Interop.Errno.ENFILE => PidFdOpenOutcome.OutOfFileDescriptors,
                Interop.Errno.ENOSYS => PidFdOpenOutcome.NotSupported,
                _ => PidFdOpenOutcome.Failed,
            };
        }
        handle = new PidFdHandle(fd);
        return PidFdOpenOutcome.Opened;
    }

    public static SignalOutcome SendSignal(PidFdHandle pidfd, int signal)
    {
        if (Interop.pidfd_send_signal(pidfd, signal) == 0)
        {
            return SignalOutcome.Sent;
        }
        return Interop.LastErrno switch
        {
            Interop.Errno.ESRCH => SignalOutcome.AlreadyReaped,
            Interop.Errno.EPERM => SignalOutcome.NotPermitted,
            Interop.Errno.ENOSYS => SignalOutcome.NotSupported,
            _ => SignalOutcome.Failed,
        };
    }

    /// <summary>
    /// One process_mrelease call. EAGAIN and EINTR come back as Busy and Interrupted; <see cref="Victim.Reap"/> retries
    /// them a bounded number of times.
    /// </summary>
    public static ReapOutcome Mrelease(PidFdHandle pidfd)
    {
        if (Interop.process_mrelease(pidfd) == 0)
        {
            return ReapOutcome.Reaped;
        }
        return Interop.LastErrno switch
        {
            Interop.Errno.ESRCH => ReapOutcome.AlreadyExiting,
            Interop.Errno.EINVAL => ReapOutcome.NotDyingOrShared,
            Interop.Errno.ENOSYS => ReapOutcome.NotSupported,
            Interop.Errno.EAGAIN => ReapOutcome.Busy,
            Interop.Errno.EINTR => ReapOutcome.Interrupted,
            Interop.Errno.EBADF => ReapOutcome.BadHandle,
            _ => ReapOutcome.Failed,
        };
    }

    /// <summary>
    /// poll(POLLIN) on the pidfd: true once the thread group has exited (a zombie or reaped, docs/kernel.md C.4).
    /// timeoutMs 0 checks without waiting; -1 waits forever. EINTR is retried.
    /// </summary>
    public static unsafe bool WaitForExit(PidFdHandle pidfd, int timeoutMs)
    {
        bool added = false;
        try
        {
            pidfd.DangerousAddRef(ref added);
            var entry = new Interop.PollFd { Fd = (int)pidfd.DangerousGetHandle(), Events = Interop.POLLIN };
            // The precise monotonic clock: Environment.TickCount64 is the coarse one (a jiffy), so two readings of it
            // around a tick would cut a wait short by up to that much.
            long ticksPerMs = Stopwatch.Frequency / 1000;
            long deadline = timeoutMs < 0 ? long.MaxValue : Stopwatch.GetTimestamp() + (timeoutMs * ticksPerMs);
            while (true)
            {
                // What is left, rounded up to poll's milliseconds.
                int wait = timeoutMs < 0 ? -1 : (int)Math.Max(0, (deadline - Stopwatch.GetTimestamp() + ticksPerMs - 1) / ticksPerMs);
                int ready = Interop.poll(&entry, 1, wait);
                if (ready > 0)
                {
                    return (entry.REvents & (Interop.POLLIN | Interop.POLLHUP)) != 0;
                }
                if (ready == 0)
                {
                    return false;
                }
                if (Interop.LastErrno != Interop.Errno.EINTR)
                {
                    return false;
                }
            }
        }
        finally
        {
            if (added)
            {
                pidfd.DangerousRelease();
            }
        }
    }
}
