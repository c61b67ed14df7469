using System.Diagnostics;
using System.Globalization;

namespace Reapd.Testing;

/// <summary>
/// A child cgroup of the cgroup2 (unified) hierarchy, below the one this process is in (the "0::" line of
/// /proc/self/cgroup), for tests of kernfs files that exist without the memory controller (cgroup.events,
/// cgroup.kill, cgroup.procs). On this machine cgroup2 has no controllers, so it limits nothing. Dispose SIGKILLs
/// (by pid) the processes the test put inside, waits for them and removes the cgroup and its children.
/// </summary>
public sealed class UnifiedTestCgroup : IDisposable
{
    private static int s_sequence;
    private readonly List<Process> _started = [];

    private UnifiedTestCgroup(string mount, string relativePath)
    {
        Mount = mount;
        RelativePath = relativePath;
    }

    /// <summary>Where cgroup2 is mounted, e.g. /sys/fs/cgroup/unified.</summary>
    public string Mount { get; }

    /// <summary>The cgroup's path inside the hierarchy, as /proc/PID/cgroup names it.</summary>
    public string RelativePath { get; }

    public string Path => Mount + RelativePath;

    /// <summary>Skips the test (with the reason) when not root or when no cgroup2 hierarchy is mounted.</summary>
    public static UnifiedTestCgroup Create(string nameHint)
    {
        Root.Require();
        string? mount = FindMount();
        Assert.SkipWhen(mount is null, "needs a cgroup2 hierarchy mounted (none in /proc/self/mountinfo)");
        string self = File.ReadAllLines("/proc/self/cgroup").Single(l => l.StartsWith("0::", StringComparison.Ordinal))[3..].TrimEnd('/');
        string relative = $"{self}/reapd-test-{nameHint}-{Environment.ProcessId}-{Interlocked.Increment(ref s_sequence)}";
        Directory.CreateDirectory(mount + relative);
        return new UnifiedTestCgroup(mount!, relative);
    }

    /// <summary>
    /// A cgroup with the v2 memory controller (enabled in its parent's cgroup.subtree_control). Skips the test with the
    /// reason where cgroup2 has no memory controller, as on this machine (memory is on v1 here): the QEMU guests of
    /// Reapd.Guest.Tests run these tests on Debian's kernels.
    /// </summary>
    public static UnifiedTestCgroup CreateWithMemory(string nameHint)
    {
        UnifiedTestCgroup cgroup = Create(nameHint);
        string parent = System.IO.Path.GetDirectoryName(cgroup.Path)!;
        bool hasMemory = File.ReadAllText(System.IO.Path.Combine(parent, "cgroup.controllers")).Split(' ', '\n').Contains("memory");
        if (hasMemory && !File.ReadAllText(System.IO.Path.Combine(parent, "cgroup.subtree_control")).Split(' ', '\n').Contains("memory"))
        {
            File.WriteAllText(System.IO.Path.Combine(parent, "cgroup.subtree_control"), "+memory");
        }
        if (!hasMemory)
        {
            cgroup.Dispose();
        }
        Assert.SkipUnless(hasMemory, "needs the memory controller on cgroup v2 (this machine has it on v1): the QEMU guests of Reapd.Guest.Tests run this test");
        return cgroup;
    }

    /// <summary>Creates a child cgroup (relative to this one) and returns its directory.</summary>
    public string Child(string name)
    {
        string path = System.IO.Path.Combine(Path, name);
        Directory.CreateDirectory(path);
        return path;
    }

    /// <summary>Starts `sleep 600` and moves it into <paramref name="directory"/> (this cgroup or a child); returns it.</summary>
    public Process StartSleeper(string? directory = null)
    {
        var sleeper = Process.Start(new ProcessStartInfo("sleep", "600") { UseShellExecute = false })!;
        Adopt(sleeper);
        File.WriteAllText(System.IO.Path.Combine(directory ?? Path, "cgroup.procs"), sleeper.Id.ToString(CultureInfo.InvariantCulture));
        return sleeper;
    }

    /// <summary>A process the test started and put in this cgroup, to be killed (by pid) on Dispose.</summary>
    public void Adopt(Process process) => _started.Add(process);

    public void Dispose()
    {
        foreach (Process process in _started)
        {
            try
            {
                if (!process.HasExited)
                {
                    process.Kill();
                }
                process.WaitForExit(10_000);
            }
            catch (InvalidOperationException)
            {
                // already reaped
            }
            process.Dispose();
        }
        foreach (string dir in Directory.EnumerateDirectories(Path, "*", SearchOption.AllDirectories).OrderByDescending(d => d.Length).Append(Path))
        {
            for (int attempt = 0; attempt < 50; attempt++)
            {
                try
                {
                    Directory.Delete(dir);
                    break;
                }
                catch (IOException) when (attempt < 49)
                {
                    Thread.Sleep(20); // EBUSY until the killed members are fully gone
                }
            }
        }
    }

    private static string? FindMount()
    {
        foreach (string line in File.ReadLines("/proc/self/mountinfo"))
        {
            string[] halves = line.Split(" - ", 2);
            if (halves.Length == 2 && halves[1].StartsWith("cgroup2 ", StringComparison.Ordinal))
            {
                return halves[0].Split(' ')[4];
            }
        }
        return null;
    }
}
