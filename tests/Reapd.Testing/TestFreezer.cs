using System.Diagnostics;

namespace Reapd.Testing;

/// <summary>
/// A child cgroup v1 freezer cgroup, so a test can stop its victim from running at all. A frozen task sleeps in
/// TASK_FROZEN, which a fatal signal does not wake: SIGKILL still marks the thread group as exiting
/// (SIGNAL_GROUP_EXIT, set while sending), but the victim cannot run its exit until thawed. That makes the
/// "reap right after SIGKILL" path deterministic: without it the victim may pass exit_mm first (4 of 5 kills on a
/// loaded machine in kernel.md D.2), and process_mrelease then correctly answers ESRCH. A frozen victim is the extreme of a victim
/// that is slow to get CPU (kernel.md D.2, SCHED_IDLE victim), the case the reaper exists for.
/// Dispose thaws, SIGKILLs only the processes inside (which the test put there) and removes the cgroup.
/// </summary>
public sealed class TestFreezer : IDisposable
{
    public const string V1FreezerMount = "/sys/fs/cgroup/freezer";

    private static int s_sequence;

    private TestFreezer(string path) => Path = path;

    public string Path { get; }

    public static TestFreezer Create()
    {
        Root.Require();
        Assert.SkipUnless(File.Exists(V1FreezerMount + "/cgroup.procs"), $"needs the cgroup v1 freezer at {V1FreezerMount}");
        string parent = SelfFreezerCgroup();
        string path = V1FreezerMount + parent.TrimEnd('/') + $"/reapd-test-freeze-{Environment.ProcessId}-{Interlocked.Increment(ref s_sequence)}";
        Directory.CreateDirectory(path);
        return new TestFreezer(path);
    }

    public void Add(int pid) => File.WriteAllText(System.IO.Path.Combine(Path, "cgroup.procs"), pid.ToString(System.Globalization.CultureInfo.InvariantCulture));

    public string State => File.ReadAllText(System.IO.Path.Combine(Path, "freezer.state")).Trim();

    /// <summary>Freezes and waits (bounded) until the kernel reports every task frozen.</summary>
    public void Freeze() => SetAndWait("FROZEN");

    public void Thaw() => SetAndWait("THAWED");

    private void SetAndWait(string state)
    {
        var deadline = Stopwatch.StartNew();
        File.WriteAllText(System.IO.Path.Combine(Path, "freezer.state"), state);
        while (State != state)
        {
            if (deadline.ElapsedMilliseconds > 10_000)
            {
                throw new Xunit.Sdk.XunitException($"freezer {Path} did not reach {state} within 10 s (now {State})");
            }
            Thread.Sleep(5);
        }
    }

    public void Dispose()
    {
        if (!Directory.Exists(Path))
        {
            return;
        }
        try
        {
            File.WriteAllText(System.IO.Path.Combine(Path, "freezer.state"), "THAWED");
        }
        catch (IOException)
        {
        }
        for (int attempt = 0; attempt < 400 && Directory.Exists(Path); attempt++)
        {
            try
            {
                foreach (string line in File.ReadAllLines(System.IO.Path.Combine(Path, "cgroup.procs")))
                {
                    _ = kill(int.Parse(line, System.Globalization.CultureInfo.InvariantCulture), 9);
                }
                Directory.Delete(Path);
            }
            catch (IOException)
            {
                Thread.Sleep(25);
            }
        }
    }

    private static string SelfFreezerCgroup()
    {
        foreach (string line in File.ReadAllLines("/proc/self/cgroup"))
        {
            string[] parts = line.Split(':', 3);
            if (parts.Length == 3 && parts[1].Split(',').Contains("freezer"))
            {
                return parts[2];
            }
        }
        return "/";
    }

    [System.Runtime.InteropServices.DllImport("libc", SetLastError = true)]
    private static extern int kill(int pid, int sig);
}
