using System.Runtime.InteropServices;

namespace Reapd.Linux;

internal static partial class Interop
{
    internal const int MCL_CURRENT = 1;
    internal const int MCL_FUTURE = 2;
    /// <summary>Lock pages as they are faulted in rather than populating whole mappings (4.4): the runtime's large PROT_NONE reservations stay cheap.</summary>
    internal const int MCL_ONFAULT = 4;

    /// <summary>mlockall(2): keeps reapd's own pages resident, so it never waits on a major fault under the pressure it is meant to answer.</summary>
    [LibraryImport(Libc, SetLastError = true)]
    internal static partial int mlockall(int flags);

    /// <summary>mlock(2): locks and, unlike MCL_ONFAULT, populates the range at once (mm/mlock.c do_mlock, __mm_populate).</summary>
    [LibraryImport(Libc, SetLastError = true)]
    internal static partial int mlock(nint address, nuint length);
}
