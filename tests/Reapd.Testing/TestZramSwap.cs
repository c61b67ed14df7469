using System.Diagnostics;
using System.Globalization;

namespace Reapd.Testing;

/// <summary>
/// Swap on the host for a test: a zram device it hot-adds (never an existing one: zram0 may be someone else's),
/// mkswap'd and swapon'd at the highest priority, under the machine-wide swap lock (/tmp/reapd-swap.lock, the lock the
/// benchmark's swap takes too), held from before the swapon to after the swapoff. Dispose swaps it off (bringing back
/// every page still there), resets and removes the device, and releases the lock, also after a failed test. Skips
/// with the reason without root, zram or util-linux's swap tools.
/// </summary>
public sealed class TestZramSwap : IDisposable
{
    public const string LockFile = "/tmp/reapd-swap.lock";
    private const string ZramControl = "/sys/class/zram-control";

    private readonly int _lockFd;
    private bool _disposed;

    private TestZramSwap(int id, int lockFd)
    {
        Id = id;
        _lockFd = lockFd;
    }

    /// <summary>The device number hot_add gave.</summary>
    public int Id { get; }

    public string DevicePath => $"/dev/zram{Id}";

    public static TestZramSwap Create(long sizeBytes)
    {
        Root.Require();
        Assert.SkipUnless(Directory.Exists(ZramControl), $"needs zram ({ZramControl}): this kernel has no CONFIG_ZRAM or the module is not loaded");
        Assert.SkipUnless(File.Exists("/sbin/mkswap") || File.Exists("/usr/sbin/mkswap"), "needs mkswap, swapon and swapoff (util-linux)");
        int fd = TakeLock();
        int id = -1;
        try
        {
            // Reading hot_add creates a device and answers its number.
            id = int.Parse(File.ReadAllText(ZramControl + "/hot_add").Trim(), CultureInfo.InvariantCulture);
            for (int i = 0; i < 100 && !File.Exists($"/dev/zram{id}"); i++)
            {
                Thread.Sleep(20);
            }
            File.WriteAllText($"/sys/block/zram{id}/disksize", sizeBytes.ToString(CultureInfo.InvariantCulture));
            Run("mkswap", $"/dev/zram{id}");
            Run("swapon", "-p", "32767", $"/dev/zram{id}");
            return new TestZramSwap(id, fd);
        }
        catch
        {
            // The set-up's own failure is what the test reports; a teardown that fails as well must neither hide it
            // nor keep the machine-wide lock (the next taker, a test or the benchmark, would wait forever).
            try
            {
                if (id >= 0)
                {
                    Teardown(id);
                }
            }
            catch (InvalidOperationException)
            {
            }
            finally
            {
                Unlock(fd);
            }
            throw;
        }
    }

    /// <summary>The swap in use on the whole machine (SwapTotal - SwapFree of /proc/meminfo), bytes.</summary>
    public static long UsedBytes()
    {
        long total = 0, free = 0;
        foreach (string line in File.ReadLines("/proc/meminfo"))
        {
            if (line.StartsWith("SwapTotal:", StringComparison.Ordinal))
            {
                total = KiB(line);
            }
            else if (line.StartsWith("SwapFree:", StringComparison.Ordinal))
            {
                free = KiB(line);
            }
        }
        return (total - free) * 1024;

        static long KiB(string line) => long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);
    }

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }
        _disposed = true;
        try
        {
            Teardown(Id);
        }
        finally
        {
            Unlock(_lockFd);
        }
    }

    /// <summary>swapoff (the pages come back), reset, hot_remove; each step tried even when one before failed.</summary>
    private static void Teardown(int id)
    {
        var problems = new List<string>();
        // Not swapped on (the set-up failed before swapon): swapoff would fail, and there is nothing to bring back.
        Try(() =>
        {
            if (File.ReadLines("/proc/swaps").Skip(1).Any(line => line.StartsWith($"/dev/zram{id} ", StringComparison.Ordinal)))
            {
                Run("swapoff", $"/dev/zram{id}");
            }
        });
        Try(() => File.WriteAllText($"/sys/block/zram{id}/reset", "1"));
        Try(() => File.WriteAllText(ZramControl + "/hot_remove", id.ToString(CultureInfo.InvariantCulture)));
        if (problems.Count > 0)
        {
            throw new InvalidOperationException($"removing /dev/zram{id}: {string.Join("; ", problems)}");
        }

        void Try(Action step)
        {
            try
            {
                step();
            }
            catch (Exception e) when (e is IOException or InvalidOperationException or UnauthorizedAccessException)
            {
                problems.Add(e.Message);
            }
        }
    }

    private static void Run(string program, params string[] args)
    {
        var psi = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string arg in args)
        {
            psi.ArgumentList.Add(arg);
        }
        using var process = Process.Start(psi)!;
        string output = process.StandardOutput.ReadToEnd() + process.StandardError.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{program} {string.Join(' ', args)}: exit {process.ExitCode}: {output.Trim()}");
        }
    }

    private const int LOCK_EX = 2;
    private const int LOCK_UN = 8;
    private const int O_CREAT = 0x40;
    private const int O_RDWR = 2;
    private const int O_CLOEXEC = 0x80000;

    [System.Runtime.InteropServices.DllImport("libc", SetLastError = true)]
    private static extern int open(string path, int flags, int mode);

    [System.Runtime.InteropServices.DllImport("libc", SetLastError = true)]
    private static extern int flock(int fd, int operation);

    [System.Runtime.InteropServices.DllImport("libc", SetLastError = true)]
    private static extern int close(int fd);

    /// <summary>Waits for the machine-wide swap lock (what `flock /tmp/reapd-swap.lock` takes).</summary>
    private static int TakeLock()
    {
        int fd = open(LockFile, O_CREAT | O_RDWR | O_CLOEXEC, 0x1b6);
        if (fd < 0)
        {
            throw new InvalidOperationException($"cannot open {LockFile} (errno {System.Runtime.InteropServices.Marshal.GetLastPInvokeError()})");
        }
        if (flock(fd, LOCK_EX) != 0)
        {
            int errno = System.Runtime.InteropServices.Marshal.GetLastPInvokeError();
            close(fd);
            throw new InvalidOperationException($"cannot lock {LockFile} (errno {errno})");
        }
        return fd;
    }

    private static void Unlock(int fd)
    {
        flock(fd, LOCK_UN);
        close(fd);
    }
}
