using System.Runtime.InteropServices;

namespace Reapd.Testing;

/// <summary>
/// Runs code with no file descriptor left to open: the soft RLIMIT_NOFILE of this process is lowered to its lowest free
/// fd number, or a few above it (a new fd gets the lowest free number, and the kernel refuses numbers at or above the soft limit with
/// EMFILE), then restored. It applies to the whole test process, so a test using it must not run in parallel with
/// others (its class sits in a collection defined with DisableParallelization in its own test assembly).
/// </summary>
public static class OpenFilesLimit
{
    private const int RLIMIT_NOFILE = 7;

    public static T WithNoFreeDescriptor<T>(Func<T> action) => WithFreeDescriptors(0, action);

    /// <summary>Runs <paramref name="action"/> with room for <paramref name="free"/> more fds (above the lowest free number), then restores the limit.</summary>
    public static T WithFreeDescriptors<T>(int free, Func<T> action)
    {
        WaitForQuietDescriptorTable();
        if (getrlimit(RLIMIT_NOFILE, out RLimit old) != 0)
        {
            throw new InvalidOperationException("getrlimit failed: errno " + Marshal.GetLastPInvokeError());
        }
        ulong lowestFree;
        using (Microsoft.Win32.SafeHandles.SafeFileHandle probe = File.OpenHandle("/dev/null"))
        {
            lowestFree = (ulong)probe.DangerousGetHandle();
        }
        var lowered = new RLimit { Cur = lowestFree + (ulong)free, Max = old.Max };
        if (setrlimit(RLIMIT_NOFILE, lowered) != 0)
        {
            throw new InvalidOperationException("setrlimit failed: errno " + Marshal.GetLastPInvokeError());
        }
        try
        {
            return action();
        }
        finally
        {
            _ = setrlimit(RLIMIT_NOFILE, old);
        }
    }

    /// <summary>
    /// Earlier tests leave fds that close later: handles that only a finalizer closes (a GC during the action would run
    /// it), background threads (a reaper or event writer thread ending after its owner was disposed). Such a close
    /// during the action would free a number below the limit. So: finalize what is already garbage, then wait until
    /// the fd table has not changed for 200 ms (at most 5 s) before lowering the limit.
    /// </summary>
    private static void WaitForQuietDescriptorTable()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        string last = "";
        var quietSince = System.Diagnostics.Stopwatch.StartNew();
        var overall = System.Diagnostics.Stopwatch.StartNew();
        while (overall.ElapsedMilliseconds < 5000)
        {
            string now = string.Join(',', Directory.GetFiles("/proc/self/fd").Select(Path.GetFileName).Order(StringComparer.Ordinal));
            if (now != last)
            {
                last = now;
                quietSince.Restart();
            }
            else if (quietSince.ElapsedMilliseconds >= 200)
            {
                return;
            }
            Thread.Sleep(20);
        }
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct RLimit
    {
        public ulong Cur;
        public ulong Max;
    }

    [DllImport("libc", SetLastError = true)]
    private static extern int getrlimit(int resource, out RLimit limit);

    [DllImport("libc", SetLastError = true)]
    private static extern int setrlimit(int resource, in RLimit limit);
}
