using Reapd.Linux.Kill;

namespace Reapd.Linux;

internal static partial class Interop
{
    /// <summary>pidfd_open flag (= O_NONBLOCK, 5.10).</summary>
    internal const uint PIDFD_NONBLOCK = 0x800;

    internal const int SIGKILL = 9;
    internal const int SIGTERM = 15;

    /// <summary>pidfd_open(2): a CLOEXEC fd pinning the struct pid (docs/kernel.md C.1). Returns -1 and sets errno on failure.</summary>
    internal static int pidfd_open(int pid, uint flags) => (int)syscall2(SYS_pidfd_open, pid, flags);

    /// <summary>pidfd_send_signal(2) with info NULL (SI_USER) and flags 0 (docs/kernel.md C.2).</summary>
    internal static int pidfd_send_signal(PidFdHandle pidfd, int signal)
    {
        bool added = false;
        try
        {
            pidfd.DangerousAddRef(ref added);
            return (int)syscall4(SYS_pidfd_send_signal, pidfd.DangerousGetHandle(), signal, 0, 0);
        }
        finally
        {
            if (added)
            {
                pidfd.DangerousRelease();
            }
        }
    }

    /// <summary>process_mrelease(2) with flags 0 (docs/kernel.md C.3).</summary>
    internal static int process_mrelease(PidFdHandle pidfd)
    {
        bool added = false;
        try
        {
            pidfd.DangerousAddRef(ref added);
            return (int)syscall2(SYS_process_mrelease, pidfd.DangerousGetHandle(), 0);
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
