using System.Globalization;

namespace Reapd.Testing;

/// <summary>
/// A child cgroup v1 memory cgroup with a hard limit, created below the cgroup this process is in
/// (/proc/self/cgroup, "memory" line), so that tests make real memory pressure without touching the machine.
/// Dispose kills (by pid, SIGKILL) only the processes inside it, which the test started, and removes it.
/// </summary>
public sealed class TestCgroup : IDisposable
{
    public const string V1MemoryMount = "/sys/fs/cgroup/memory";

    /// <summary>Absolute path of the cgroup directory, e.g. /sys/fs/cgroup/memory/.../reapd-test-1234-1.</summary>
    public string Path { get; }

    /// <summary>The cgroup's path relative to the v1 memory mount, as it appears in /proc/PID/cgroup.</summary>
    public string RelativePath { get; }

    private static int s_sequence;

    private TestCgroup(string path, string relativePath)
    {
        Path = path;
        RelativePath = relativePath;
    }

    /// <summary>Skips the test (with the reason) when the v1 memory controller or root is missing.</summary>
    public static TestCgroup Create(long limitBytes, string? nameHint = null)
    {
        Root.Require();
        Assert.SkipUnless(Directory.Exists(V1MemoryMount + "/"), $"needs the cgroup v1 memory controller at {V1MemoryMount}");
        string parentRelative = SelfMemoryCgroup();
        string name = $"reapd-test-{nameHint ?? "t"}-{Environment.ProcessId}-{Interlocked.Increment(ref s_sequence)}";
        string relative = parentRelative.TrimEnd('/') + "/" + name;
        string path = V1MemoryMount + relative;
        Directory.CreateDirectory(path);
        var cgroup = new TestCgroup(path, relative);
        try
        {
            cgroup.Write("memory.limit_in_bytes", limitBytes.ToString(CultureInfo.InvariantCulture));
            // Other tests swap on a zram device of their own now and then (RunQuietSwapTests, the bench's
            // SwapSpaceTests), for the whole machine: with swap there, a hog past this limit would be swapped out
            // instead of meeting the memcg OOM killer or reapd. At swappiness 0 the limit's reclaim leaves anonymous
            // memory alone; a test that means to swap sets it back (SwapOn).
            cgroup.Write("memory.swappiness", "0");
        }
        catch
        {
            cgroup.Dispose();
            throw;
        }
        return cgroup;
    }

    /// <summary>The v1 memory cgroup of this process, relative to the mount ("/" at the root).</summary>
    public static string SelfMemoryCgroup()
    {
        foreach (string line in File.ReadAllLines("/proc/self/cgroup"))
        {
            string[] parts = line.Split(':', 3);
            if (parts.Length == 3 && parts[1].Split(',').Contains("memory"))
            {
                return parts[2];
            }
        }
        throw new InvalidOperationException("this process has no v1 memory cgroup in /proc/self/cgroup");
    }

    public long UsageBytes => long.Parse(Read("memory.usage_in_bytes").Trim(), CultureInfo.InvariantCulture);

    /// <summary>"oom_kill N" of memory.oom_control: processes in this cgroup the kernel's OOM killer took.</summary>
    public long KernelOomKills
    {
        get
        {
            foreach (string line in Read("memory.oom_control").Split('\n'))
            {
                if (line.StartsWith("oom_kill ", StringComparison.Ordinal))
                {
                    return long.Parse(line.AsSpan(9).Trim(), CultureInfo.InvariantCulture);
                }
            }
            return 0;
        }
    }

    public IReadOnlyList<int> Pids =>
        Read("cgroup.procs").Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(s => int.Parse(s, CultureInfo.InvariantCulture)).ToList();

    /// <summary>Lets the limit's reclaim swap anonymous memory out again (the kernel's default swappiness, 60).</summary>
    public void SwapOn() => Write("memory.swappiness", "60");

    /// <summary>Moves a process (one the test started) into this cgroup.</summary>
    public void Add(int pid) => Write("cgroup.procs", pid.ToString(CultureInfo.InvariantCulture));

    public string Read(string file) => File.ReadAllText(System.IO.Path.Combine(Path, file));

    public void Write(string file, string value) => File.WriteAllText(System.IO.Path.Combine(Path, file), value);

    public void Dispose()
    {
        // Only processes the test itself put here can be inside; end them, then remove the directory.
        for (int attempt = 0; attempt < 200 && Directory.Exists(Path); attempt++)
        {
            try
            {
                foreach (int pid in Pids)
                {
                    _ = kill(pid, 9);
                }
                Directory.Delete(Path);
                return;
            }
            catch (IOException)
            {
                Thread.Sleep(25);
            }
            catch (UnauthorizedAccessException)
            {
                Thread.Sleep(25);
            }
        }
    }

    [System.Runtime.InteropServices.DllImport("libc", SetLastError = true)]
    private static extern int kill(int pid, int sig);
}
