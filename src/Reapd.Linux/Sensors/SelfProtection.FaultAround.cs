namespace Reapd.Linux.Sensors;

public static partial class SelfProtection
{
    /// <summary>
    /// The userfaultfd that keeps fault-around off on reapd's read-only file mappings. Owned by the process for its
    /// whole life and never closed: closing it would unregister the mappings (fs/userfaultfd.c, userfaultfd_release),
    /// and the next fault would map, and MCL_ONFAULT lock, its neighbours again. -1 when none could be set up.
    /// </summary>
    private static int s_faultAroundFd = -1;

    /// <summary>
    /// Turns fault-around off on the read-only file mappings that <see cref="TrimToHotPath"/> unmaps. A read fault on a
    /// file mapping normally maps up to 64 KiB of the file's cached pages around the one it needs (mm/memory.c,
    /// do_read_fault and should_fault_around), and mlockall(MCL_ONFAULT) then locks every one of them: most of what
    /// the warm-up left resident was such neighbours, never run. The kernel skips fault-around on a mapping registered
    /// with a userfaultfd for write-protection (uffd_disable_fault_around, include/linux/userfaultfd_k.h); with
    /// UFFD_FEATURE_WP_ASYNC (6.7) a private file mapping may be registered so, and the kernel itself resolves any write
    /// fault, with no thread of reapd's. These mappings are never written (no PROT_WRITE), so no fault on them ever
    /// reaches the userfaultfd: each read fault maps exactly its page (the registration also keeps khugepaged from
    /// collapsing them and them from merging with unregistered neighbours, both harmless here). Measured: docs/reliability.md "What is kept resident".
    /// Best effort (before 6.7, without CONFIG_USERFAULTFD, or under a seccomp filter that forbids it, fault-around
    /// stays on); returns what was done, for the start event.
    /// </summary>
    private static string DisableFaultAround(List<Mapping> mappings)
    {
        if (s_faultAroundFd < 0)
        {
            int fd = Interop.userfaultfd(Interop.O_CLOEXEC | Interop.UFFD_USER_MODE_ONLY);
            if (fd < 0)
            {
                return $"fault-around on (userfaultfd: {Interop.LastErrno})";
            }
            var api = new Interop.uffdio_api { api = Interop.UFFD_API, features = Interop.UFFD_FEATURE_WP_ASYNC };
            if (Interop.ioctl(fd, Interop.UFFDIO_API, ref api) != 0)
            {
                Interop.Errno errno = Interop.LastErrno;
                _ = Interop.close(fd);
                return errno == Interop.Errno.EINVAL
                    ? "fault-around on (the kernel has no asynchronous userfaultfd write-protection: Linux 6.7 with CONFIG_PTE_MARKER_UFFD_WP)"
                    : $"fault-around on (userfaultfd API: {errno})";
            }
            s_faultAroundFd = fd;
        }
        int registered = 0, refused = 0;
        Interop.Errno firstError = 0;
        foreach (Mapping mapping in mappings)
        {
            if (!IsReadOnlyFilePages(mapping))
            {
                continue;
            }
            var register = new Interop.uffdio_register
            {
                start = (ulong)mapping.Start,
                len = mapping.Length,
                mode = Interop.UFFDIO_REGISTER_MODE_WP,
            };
            if (Interop.ioctl(s_faultAroundFd, Interop.UFFDIO_REGISTER, ref register) == 0)
            {
                registered++;
            }
            else
            {
                firstError = refused++ == 0 ? Interop.LastErrno : firstError;
            }
        }
        return registered == 0 ? (refused == 0 ? "fault-around on (no read-only file mapping to register)" : $"fault-around on (registering {refused} read-only file mappings: {firstError})")
            : refused == 0 ? $"fault-around off on {registered} read-only file mappings"
            : $"fault-around off on {registered} read-only file mappings, on for {refused} ({firstError})";
    }
}
