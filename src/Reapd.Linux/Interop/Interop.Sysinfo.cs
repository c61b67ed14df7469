using System.Runtime.InteropServices;

namespace Reapd.Linux;

internal static partial class Interop
{
    /// <summary>
    /// struct sysinfo (include/uapi/linux/sysinfo.h) on 64-bit Linux: 112 bytes; Size leaves room. Memory figures are
    /// in units of <see cref="MemUnit"/> bytes. freeram is global_zone_page_state(NR_FREE_PAGES) (mm/show_mem.c,
    /// si_meminfo), the same counter MemAvailable starts from; freeswap is the same figure as SwapFree.
    /// </summary>
    [StructLayout(LayoutKind.Sequential, Size = 128)]
    internal struct SysInfo
    {
        public long Uptime;
        public ulong Load1;
        public ulong Load5;
        public ulong Load15;
        public ulong TotalRam;
        public ulong FreeRam;
        public ulong SharedRam;
        public ulong BufferRam;
        public ulong TotalSwap;
        public ulong FreeSwap;
        public ushort Procs;
        public ushort Pad;
        public ulong TotalHigh;
        public ulong FreeHigh;
        public uint MemUnit;
    }

    /// <summary>sysinfo(2): a few global counters copied out, no text generated — the quiet wake-up's reading.</summary>
    [LibraryImport(Libc, SetLastError = true)]
    internal static unsafe partial int sysinfo(SysInfo* info);
}
