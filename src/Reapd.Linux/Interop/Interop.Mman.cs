using System.Runtime.InteropServices;

namespace Reapd.Linux;

internal static partial class Interop
{
    internal const int MCL_CURRENT = 1;
    internal const int MCL_FUTURE = 2;
    /// <summary>Lock pages as they are faulted in rather than populating whole mappings (4.4): the runtime's large PROT_NONE reservations stay cheap.</summary>
    internal const int MCL_ONFAULT = 4;

    /// <summary>mallopt(3)'s M_ARENA_MAX (glibc malloc/malloc.h): the most malloc arenas glibc may create.</summary>
    internal const int M_ARENA_MAX = -8;

    /// <summary>mallopt(3): sets a parameter of glibc's malloc; returns 1 on success, 0 on error.</summary>
    [LibraryImport(Libc)]
    internal static partial int mallopt(int param, int value);

    /// <summary>mlockall(2): keeps reapd's own pages resident, so it never waits on a major fault under the pressure it is meant to answer.</summary>
    [LibraryImport(Libc, SetLastError = true)]
    internal static partial int mlockall(int flags);

    /// <summary>mlock(2): locks and, unlike MCL_ONFAULT, populates the range at once (mm/mlock.c do_mlock, __mm_populate).</summary>
    [LibraryImport(Libc, SetLastError = true)]
    internal static partial int mlock(nint address, nuint length);
}

internal static partial class Interop
{
    /// <summary>Accesses in this range are random: the kernel reads no readahead window around a page it faults in (mm/filemap.c, do_sync_mmap_readahead).</summary>
    internal const int MADV_RANDOM = 1;

    /// <summary>Drops the range's page table entries; for a private file mapping with no copied-on-write page, the next access maps the file's page again.</summary>
    internal const int MADV_DONTNEED = 4;

    /// <summary>posix_fadvise(2) advice: drop the file's cached pages that nobody maps (mm/fadvise.c, mapping_try_invalidate).</summary>
    internal const int POSIX_FADV_DONTNEED = 4;

    [LibraryImport(Libc, SetLastError = true)]
    internal static partial int madvise(nint address, nuint length, int advice);

    /// <summary>posix_fadvise returns the error number instead of setting errno.</summary>
    [LibraryImport(Libc)]
    internal static partial int posix_fadvise(int fd, long offset, long length, int advice);
}
