using System.Runtime.InteropServices;

namespace Reapd.Linux;

internal static partial class Interop
{
    internal const int PRIO_PROCESS = 0;

    /// <summary>setpriority(2): reapd runs at nice -20 so a CPU-starved machine still schedules the reaper (docs/kernel.md D.2).</summary>
    [LibraryImport(Libc, SetLastError = true)]
    internal static partial int setpriority(int which, uint who, int prio);
}
