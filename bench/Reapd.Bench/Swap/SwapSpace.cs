using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;

namespace Reapd.Bench.Swap;

/// <summary>One step of setting up or removing swap: a write to a sysfs file, or a command (mkswap, swapon, swapoff).</summary>
internal sealed record SwapStep(string Target, string? Value, IReadOnlyList<string>? Args)
{
    public static SwapStep Write(string file, string value) => new(file, value, null);

    public static SwapStep Run(string program, params string[] args) => new(program, null, args);

    public override string ToString() => Args is null ? $"echo {Value} > {Target}" : $"{Target} {string.Join(' ', Args)}";
}

/// <summary>
/// Swap the runner adds for the swap-thrash scenarios and always removes: a zram device it hot-adds (never an existing
/// one: zram0 may be someone else's), or a swap file. It is used at the highest priority, so the kernel swaps to it
/// first. The steps are plain data (<see cref="ZramSetup"/> …) so that tests can check them; <see cref="StateFile"/>
/// records what is set up, so that a runner that crashed is cleaned up by the next one (<see cref="CleanLeftover"/>).
/// Any host swapon happens under the machine-wide lock <see cref="LockFile"/> (other test suites take it too), held
/// from before the swapon to after the swapoff.
/// </summary>
internal sealed partial class SwapSpace : IDisposable
{
    public const string LockFile = "/tmp/reapd-swap.lock";
    public const string StateFile = "/run/reapd-bench-swap.state";
    public const string ZramControl = "/sys/class/zram-control";

    /// <summary>swapon's highest priority: the kernel fills this device before any other swap.</summary>
    public const int Priority = 32767;

    private readonly int _lockFd;
    private bool _disposed;

    public string Kind { get; }

    /// <summary>/dev/zramN or the swap file's path.</summary>
    public string Path { get; }

    public long SizeBytes { get; }

    /// <summary>zram: the device number that was hot-added; -1 for a file.</summary>
    public int ZramId { get; }

    private SwapSpace(string kind, string path, long sizeBytes, int zramId, int lockFd)
    {
        Kind = kind;
        Path = path;
        SizeBytes = sizeBytes;
        ZramId = zramId;
        _lockFd = lockFd;
    }

    public string Describe => Kind == "zram"
        ? $"zram device {Path} of {SizeBytes >> 20} MiB ({ZramAlgorithm(ZramId)}), swapon priority {Priority}"
        : $"swap file {Path} of {SizeBytes >> 20} MiB, swapon priority {Priority}";

    /// <summary>Writes to zramN after hot_add: its size, then mkswap and swapon at the highest priority.</summary>
    public static IReadOnlyList<SwapStep> ZramSetup(int id, long sizeBytes) =>
    [
        SwapStep.Write($"/sys/block/zram{id}/disksize", sizeBytes.ToString(CultureInfo.InvariantCulture)),
        SwapStep.Run("mkswap", $"/dev/zram{id}"),
        SwapStep.Run("swapon", "-p", Priority.ToString(CultureInfo.InvariantCulture), $"/dev/zram{id}"),
    ];

    /// <summary>Undoes <see cref="ZramSetup"/>: swapoff (brings any page still there back), reset, hot_remove.</summary>
    public static IReadOnlyList<SwapStep> ZramTeardown(int id) =>
    [
        SwapStep.Run("swapoff", $"/dev/zram{id}"),
        SwapStep.Write($"/sys/block/zram{id}/reset", "1"),
        SwapStep.Write($"{ZramControl}/hot_remove", id.ToString(CultureInfo.InvariantCulture)),
    ];

    /// <summary>A swap file: allocated for real (fallocate: no holes, which swapon refuses), mode 600, then swapon.</summary>
    public static IReadOnlyList<SwapStep> FileSetup(string path, long sizeBytes) =>
    [
        SwapStep.Run("fallocate", "-l", sizeBytes.ToString(CultureInfo.InvariantCulture), path),
        SwapStep.Run("chmod", "600", path),
        SwapStep.Run("mkswap", path),
        SwapStep.Run("swapon", "-p", Priority.ToString(CultureInfo.InvariantCulture), path),
    ];

    /// <summary>Sets up a new zram device as swap, under the swap lock. Throws (and leaves nothing behind) on failure.</summary>
    public static SwapSpace CreateZram(long sizeBytes)
    {
        if (!Directory.Exists(ZramControl))
        {
            throw new InvalidOperationException($"no {ZramControl}: this kernel has no zram (CONFIG_ZRAM) or the module is not loaded");
        }
        int fd = TakeLock();
        int id = -1;
        try
        {
            CleanLeftover(Console.Out);
            // Reading hot_add creates a device and returns its number: zram0, if it exists, is never touched.
            id = int.Parse(File.ReadAllText(ZramControl + "/hot_add").Trim(), CultureInfo.InvariantCulture);
            var swap = new SwapSpace("zram", $"/dev/zram{id}", sizeBytes, id, fd);
            WriteState(swap);
            WaitForDevice(swap.Path);
            Execute(ZramSetup(id, sizeBytes));
            return swap;
        }
        catch
        {
            if (id >= 0)
            {
                ExecuteAll(ZramTeardown(id));
                File.Delete(StateFile);
            }
            Unlock(fd);
            throw;
        }
    }

    /// <summary>Sets up a swap file in <paramref name="directory"/> (a filesystem that supports swap files: ext4, xfs), under the swap lock.</summary>
    public static SwapSpace CreateFile(string directory, long sizeBytes)
    {
        int fd = TakeLock();
        string path = System.IO.Path.Combine(directory, $"reapd-bench-swap-{Environment.ProcessId}");
        try
        {
            CleanLeftover(Console.Out);
            var swap = new SwapSpace("file", path, sizeBytes, -1, fd);
            WriteState(swap);
            Execute(FileSetup(path, sizeBytes));
            return swap;
        }
        catch
        {
            ExecuteAll([SwapStep.Run("swapoff", path)]);
            File.Delete(path);
            File.Delete(StateFile);
            Unlock(fd);
            throw;
        }
    }

    /// <summary>
    /// A runner that crashed may have left its swap on: <see cref="StateFile"/> names it and the runner's pid. When
    /// that runner is gone, swapoff and remove what it names. Returns what was cleaned ("" when nothing).
    /// </summary>
    public static string CleanLeftover(TextWriter log)
    {
        string? state = ProcFiles.TryRead(StateFile);
        if (state is null)
        {
            return "";
        }
        string[] f = state.Trim().Split(' ');
        if (f.Length < 3 || !int.TryParse(f[0], CultureInfo.InvariantCulture, out int pid))
        {
            File.Delete(StateFile);
            return "";
        }
        if (pid != Environment.ProcessId && Directory.Exists($"/proc/{pid}"))
        {
            return ""; // its runner is still there (it holds the lock, so this cannot happen under the lock)
        }
        if (f[1] == "zram" && int.TryParse(f[2], CultureInfo.InvariantCulture, out int id))
        {
            ExecuteAll(ZramTeardown(id));
        }
        else if (f[1] == "file")
        {
            ExecuteAll([SwapStep.Run("swapoff", f[2])]);
            File.Delete(f[2]);
        }
        File.Delete(StateFile);
        string what = $"bench: removed swap left by runner {pid} ({f[1]} {f[2]})";
        log.WriteLine(what);
        return what;
    }

    public static string ZramAlgorithm(int id)
    {
        string text = ProcFiles.TryRead($"/sys/block/zram{id}/comp_algorithm") ?? "";
        int open = text.IndexOf('['), close = text.IndexOf(']');
        return open >= 0 && close > open ? text[(open + 1)..close] : text.Trim();
    }

    /// <summary>zram's mm_stat: bytes stored (uncompressed) and bytes used (compressed, with the allocator's overhead).</summary>
    public (long OriginalBytes, long UsedBytes)? ZramUsage()
    {
        string[] f = (ProcFiles.TryRead($"/sys/block/zram{ZramId}/mm_stat") ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return f.Length >= 3 && long.TryParse(f[0], CultureInfo.InvariantCulture, out long orig) && long.TryParse(f[2], CultureInfo.InvariantCulture, out long used)
            ? (orig, used) : null;
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
            if (Kind == "zram")
            {
                ExecuteAll(ZramTeardown(ZramId));
            }
            else
            {
                ExecuteAll([SwapStep.Run("swapoff", Path)]);
                File.Delete(Path);
            }
            File.Delete(StateFile);
        }
        finally
        {
            Unlock(_lockFd);
        }
    }

    private static void WriteState(SwapSpace swap) =>
        File.WriteAllText(StateFile, string.Create(CultureInfo.InvariantCulture,
            $"{Environment.ProcessId} {swap.Kind} {(swap.Kind == "zram" ? swap.ZramId.ToString(CultureInfo.InvariantCulture) : swap.Path)}\n"));

    private static void WaitForDevice(string path)
    {
        for (int i = 0; i < 100 && !File.Exists(path); i++)
        {
            Thread.Sleep(20);
        }
    }

    /// <summary>Runs every step; the first failure throws with what failed and what it said.</summary>
    private static void Execute(IReadOnlyList<SwapStep> steps)
    {
        foreach (var step in steps)
        {
            if (RunStep(step) is { } failure)
            {
                throw new InvalidOperationException($"swap setup: '{step}' failed: {failure}");
            }
        }
    }

    /// <summary>Teardown: every step is tried, whatever the ones before did (a device never swapped on still needs its reset).</summary>
    private static void ExecuteAll(IReadOnlyList<SwapStep> steps)
    {
        foreach (var step in steps)
        {
            if (RunStep(step) is { } failure && !failure.Contains("not found", StringComparison.Ordinal) && !failure.Contains("No such", StringComparison.Ordinal))
            {
                Console.Error.WriteLine($"bench: swap teardown: '{step}': {failure}");
            }
        }
    }

    private static string? RunStep(SwapStep step)
    {
        if (step.Args is null)
        {
            try
            {
                File.WriteAllText(step.Target, step.Value);
                return null;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                return e.Message;
            }
        }
        var psi = new ProcessStartInfo(step.Target) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string a in step.Args)
        {
            psi.ArgumentList.Add(a);
        }
        using var p = Process.Start(psi)!;
        string output = p.StandardOutput.ReadToEnd() + p.StandardError.ReadToEnd();
        p.WaitForExit();
        return p.ExitCode == 0 ? null : $"exit {p.ExitCode}: {output.Trim()}";
    }

    private const int LOCK_EX = 2;
    private const int LOCK_UN = 8;
    private const int O_CREAT = 0x40;
    private const int O_RDWR = 2;
    private const int O_CLOEXEC = 0x80000;

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int open(string path, int flags, int mode);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int flock(int fd, int operation);

    /// <summary>Holds the swap lock until disposed (for a test that sets up swap by hand).</summary>
    public static IDisposable HoldLock() => new LockHold(TakeLock());

    private sealed class LockHold(int fd) : IDisposable
    {
        public void Dispose() => Unlock(fd);
    }

    /// <summary>Waits for the machine-wide swap lock (the same lock `flock /tmp/reapd-swap.lock` takes).</summary>
    private static int TakeLock()
    {
        int fd = open(LockFile, O_CREAT | O_RDWR | O_CLOEXEC, 0x1b6);
        if (fd < 0)
        {
            throw new InvalidOperationException($"cannot open {LockFile}: errno {Marshal.GetLastPInvokeError()}");
        }
        if (flock(fd, LOCK_EX) != 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            Libc.close(fd);
            throw new InvalidOperationException($"cannot lock {LockFile}: errno {errno}");
        }
        return fd;
    }

    private static void Unlock(int fd)
    {
        flock(fd, LOCK_UN);
        Libc.close(fd);
    }
}
