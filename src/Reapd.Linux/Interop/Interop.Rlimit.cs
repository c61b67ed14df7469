using System.Runtime.InteropServices;

namespace Reapd.Linux;

internal static partial class Interop
{
    internal const int RLIMIT_NOFILE = 7;

    /// <summary>struct rlimit on 64-bit Linux: two rlim_t (unsigned long); RLIM_INFINITY is all ones.</summary>
    [StructLayout(LayoutKind.Sequential)]
    internal struct RLimit
    {
        public ulong Soft;
        public ulong Hard;
    }

    [LibraryImport(Libc, SetLastError = true)]
    internal static unsafe partial int getrlimit(int resource, RLimit* limit);

    [LibraryImport(Libc, SetLastError = true)]
    internal static unsafe partial int setrlimit(int resource, RLimit* limit);
}
