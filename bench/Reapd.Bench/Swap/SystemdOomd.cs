using System.Diagnostics;

namespace Reapd.Bench.Swap;

/// <summary>
/// systemd-oomd (Debian's package of the host's systemd, 252), enabled the way distributions do (Fedora, Ubuntu):
/// ManagedOOMSwap=kill on -.slice and ManagedOOMMemoryPressure=kill on system.slice and user.slice, as drop-ins in
/// /run/systemd/system, with its thresholds set as close to the others' lines as its settings go (<see cref="OomdConf"/>):
/// SwapUsedLimit=95% (memory and swap both more than 95 % used: the 5 % SIGKILL line, on swap as on memory),
/// a memory pressure limit of 60 % (reapd's full-stall trigger) over DefaultMemoryPressureDurationSec=10s (reapd's
/// window). It has no SIGTERM stage: it kills whole cgroups. The runner starts it as its own child (root, logging to
/// stderr); systemd (PID 1) hands it the managed cgroups over varlink after the daemon-reload.
/// </summary>
internal sealed class SystemdOomd : Daemon
{
    public const string Binary = "/lib/systemd/systemd-oomd";

    private const string DropIn = "50-reapd-bench.conf";

    /// <summary>Where the drop-ins go: systemd reads /run/systemd/system and /run/systemd/oomd.conf.d.</summary>
    public static readonly string[] DropInFiles =
    [
        "/run/systemd/oomd.conf.d/" + DropIn,
        "/run/systemd/system/-.slice.d/" + DropIn,
        "/run/systemd/system/system.slice.d/" + DropIn,
        "/run/systemd/system/user.slice.d/" + DropIn,
    ];

    public override string Name => "systemd-oomd";

    public override bool HasCgroupScope => true;

    /// <summary>oomd.conf: its global settings.</summary>
    public static string OomdConf =>
        $"[OOM]\nSwapUsedLimit={100 - BenchScope.KillPercent}%\nDefaultMemoryPressureLimit=60%\nDefaultMemoryPressureDurationSec=10s\n";

    /// <summary>The root slice: kill the cgroup using the most swap when memory and swap run out.</summary>
    public const string RootSliceConf = "[Slice]\nManagedOOMSwap=kill\n";

    /// <summary>system.slice and user.slice: kill the descendant cgroup reclaiming most when the slice's pressure stays high.</summary>
    public const string PressureSliceConf = "[Slice]\nManagedOOMMemoryPressure=kill\nManagedOOMMemoryPressureLimit=60%\n";

    /// <summary>Every file the runner writes, path → text.</summary>
    public static IReadOnlyList<(string Path, string Text)> Configuration =>
    [
        (DropInFiles[0], OomdConf),
        (DropInFiles[1], RootSliceConf),
        (DropInFiles[2], PressureSliceConf),
        (DropInFiles[3], PressureSliceConf),
    ];

    protected override (string, string[], Func<string, bool>) Command(BenchScope scope, WorkloadCgroup cgroup, string workDir) =>
        ("/usr/bin/env", ["SYSTEMD_LOG_TARGET=console", "SYSTEMD_LOG_LEVEL=debug", Binary], _ => true);

    public override ChildProcess? Start(BenchScope scope, WorkloadCgroup cgroup, string workDir)
    {
        foreach (var (path, text) in Configuration)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllText(path, text);
        }
        Systemctl("daemon-reload");
        // Its own varlink socket (for user managers) lives here; the packaged unit gets the directory from
        // systemd-oomd.socket, which is not started when the runner starts oomd itself.
        Directory.CreateDirectory("/run/systemd/oom");
        var (file, args, _) = Command(scope, cgroup, workDir);
        var child = ChildProcess.Start(Name, file, args);
        // It watches once systemd has sent it the managed cgroups; give that a bounded moment, then check it lives.
        child.WaitForLine(l => l.Contains("system.slice", StringComparison.Ordinal), TimeSpan.FromSeconds(5));
        if (child.HasExited)
        {
            string log = child.Log();
            child.Dispose();
            AfterStop();
            throw new InvalidOperationException($"{Name} exited at start:\n{log}");
        }
        return child;
    }

    public override void AfterStop()
    {
        foreach (string path in DropInFiles)
        {
            File.Delete(path);
        }
        Systemctl("daemon-reload");
    }

    private static void Systemctl(string verb)
    {
        using var p = Process.Start(new ProcessStartInfo("systemctl", [verb]) { RedirectStandardError = true })!;
        string err = p.StandardError.ReadToEnd();
        p.WaitForExit();
        if (p.ExitCode != 0)
        {
            throw new InvalidOperationException($"systemctl {verb} failed: {err.Trim()}");
        }
    }
}
