using System.Text.Json;
using Reapd.Testing;

namespace Reapd.Tests;

/// <summary>
/// The real NativeAOT binary guarding a 512 MiB v1 cgroup that holds, besides a real hog, a process whose mm is held:
/// a child of it waits on a FUSE read that is never answered with its mmap lock held, and a thread of it waits as a
/// writer, so a read of its /proc/PID/cmdline blocks (tests/native/fuse_stuck.c --mm-held, docs/kernel.md E.1). The scan
/// reads the command lines of its best candidates on a scanner thread, with a deadline: the stuck read holds that
/// thread, not the loop, and the decision goes on without the stuck process, which is reported as skipped.
/// </summary>
public sealed class RunStuckProcTests
{
    private const long MiB = 1L << 20;

    [Fact]
    public void A_process_whose_proc_cmdline_blocks_is_skipped_by_the_scan_and_the_real_hog_is_killed()
    {
        using TestCgroup cgroup = TestCgroup.Create(512 * MiB, "scanstuck");
        using FuseStuck stuck = FuseStuck.StartMmHeld(48, Path.Combine(cgroup.Path, "cgroup.procs"));
        long kernelKillsBefore = cgroup.KernelOomKills;

        // Term level 25 %, kill level 15 % (76.8 MiB available): 48 + 400 MiB leave about 60 MiB, below the kill level.
        using RunDaemon daemon = RunDaemon.Start("--cgroup", cgroup.Path, "--term-percent", "25", "--kill-percent", "15",
            "--grace", "60s", "--scan-deadline", "200ms");
        using HelperProcess hog = RunHogs.Start(cgroup, 400);

        JsonElement partial = daemon.WaitFor("scan-partial", _ => true);
        JsonElement choice = daemon.WaitFor("choice", _ => true);
        // The hog passes the term level while it ramps (SIGTERM, which it ignores), then the kill level.
        JsonElement kill = daemon.WaitFor("signal", e => Pid(e) == hog.Pid && Text(e, "signal") == "SIGKILL");
        Assert.True(hog.WaitForExit(10_000), "the hog is still alive");

        // The scan named the process it could not read and left it out; the decision went on at the deadline.
        // The first scan (at the start, warming up) is stuck inside it until the deadline: "deadline"; a scan while a
        // scanner thread is still stuck there skips it at once: "skipped-stuck".
        Assert.Contains(Text(partial, "result"), new[] { "deadline", "skipped-stuck" });
        Assert.Equal(stuck.VictimPid, Pid(partial, "stuck_pid"));
        Assert.True(partial.GetProperty("skipped").GetInt32() >= 1, partial.GetRawText());
        Assert.Equal(200, partial.GetProperty("deadline_ms").GetInt32());
        Assert.Equal(hog.Pid, Pid(choice));
        Assert.False(choice.GetProperty("scan_complete").GetBoolean());
        Assert.Contains("hog", Text(choice, "cmdline"));
        Assert.Equal("Sent", Text(kill, "result"));

        // Nobody else was signalled; the stuck process and its peeker are untouched; the kernel's OOM killer never ran.
        Assert.All(daemon.Named("signal"), e => Assert.Equal(hog.Pid, Pid(e)));
        Assert.True(Directory.Exists($"/proc/{stuck.VictimPid}") && Directory.Exists($"/proc/{stuck.PeekerPid}"));
        Assert.Equal(kernelKillsBefore, cgroup.KernelOomKills);
        daemon.StopCleanly();
        Assert.DoesNotContain(daemon.Events, e => Text(e, "event") == "warning" && Text(e, "what") == "scanner");
    }

    private static int Pid(JsonElement e, string key = "pid") => e.TryGetProperty(key, out JsonElement p) ? p.GetInt32() : 0;

    private static string Text(JsonElement e, string key) => e.TryGetProperty(key, out JsonElement p) ? p.ToString() : "";
}
