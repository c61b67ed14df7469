using System.Text.Json;
using Reapd.Testing;

namespace Reapd.Tests;

/// <summary>
/// The real NativeAOT binary guarding a 512 MiB v1 cgroup whose top candidate is a victim the kernel refuses to reap:
/// once it dies, its last mmput blocks in __mmput → exit_aio behind a FUSE_FSYNC its server never answers
/// (tests/native/fuse_stuck.c --aio, docs/kernel.md D.4), so process_mrelease answers ESRCH, its pidfd never becomes
/// readable and its 256 MiB stay charged. Everything stays below the limit, so the kernel's memcg OOM killer (whose
/// oom_reaper would free the stuck mm after ~2 s, docs/kernel.md D.4 "oomaio") never runs: what happens is reapd's doing.
/// </summary>
public sealed class RunStuckExitTests
{
    private const long MiB = 1L << 20;

    /// <summary>The stuck grace of docs/daemon.md (DaemonConfig.StuckGraceMs; not a command-line option).</summary>
    private const long StuckGraceMs = 1000;

    [Fact]
    public void A_victim_whose_exit_is_stuck_in_exit_aio_is_reported_stuck_and_only_then_is_a_second_victim_chosen()
    {
        using TestCgroup cgroup = TestCgroup.Create(512 * MiB, "stuck");
        using FuseStuck fuse = FuseStuck.StartAio(256, Path.Combine(cgroup.Path, "cgroup.procs"));
        int victim = fuse.VictimPid;
        long kernelKillsBefore = cgroup.KernelOomKills;
        // Term level 25 % (128 MiB available), kill level 15 % (76.8 MiB). The grace is long so that the SIGKILL comes
        // from the kill level, which this test crosses only once the victim is stuck: the SIGTERM alone kills the
        // victim (it has no handler), and its exit passes exit_mm long before the SIGKILL. Right after a SIGKILL,
        // process_mrelease could still find the mm and free it (docs/kernel.md D.2): the ESRCH case is what is tested here.
        using RunDaemon daemon = RunDaemon.Start("--cgroup", cgroup.Path, "--term-percent", "25", "--kill-percent", "15", "--grace", "60s");

        // 256 + 144 MiB: below the term level, above the kill level. The victim is the top candidate.
        using HelperProcess first = RunHogs.Start(cgroup, 144);
        daemon.WaitFor("signal", e => Pid(e) == victim && Text(e, "signal") == "SIGTERM");
        first.WaitForLine(" ready ");
        Assert.True(ProcFacts.WaitUntil(() => fuse.VictimWchan() == "exit_aio" && !fuse.VictimHasMm()),
            $"the SIGTERMed victim is not stuck in exit_aio: wchan '{fuse.VictimWchan()}', state '{fuse.VictimState()}'");
        long stuckUsage = cgroup.UsageBytes;

        // + 64 MiB: below the kill level (about 45 MiB available), still about 45 MiB short of the limit.
        using HelperProcess second = RunHogs.Start(cgroup, 64);
        JsonElement stuck = daemon.WaitFor("stuck", e => Pid(e) == victim);
        JsonElement victimSettle = daemon.WaitFor("settle", e => Pid(e) == victim);
        JsonElement firstSettle = daemon.WaitFor("settle", e => Pid(e) == first.Pid);
        Assert.True(first.WaitForExit(10_000), "the second victim is still alive");
        second.WaitForLine(" ready ");

        // reapd escalated to SIGKILL at the kill level; process_mrelease found no mm (ESRCH), and reapd did not claim
        // the memory it could not free.
        JsonElement kill = daemon.Named("signal").Single(e => Pid(e) == victim && Text(e, "signal") == "SIGKILL");
        Assert.Equal("Sent", Text(kill, "result"));
        JsonElement reap = daemon.WaitFor("reap", e => Pid(e) == victim);
        Assert.Equal("AlreadyExiting", Text(reap, "result"));
        Assert.False(reap.GetProperty("exited").GetBoolean());

        // Reported as stuck in __mmput, with what reapd saw.
        Assert.Contains("__mmput", Text(stuck, "what"));
        Assert.Equal("exit_aio", Text(stuck, "wchan"));
        Assert.StartsWith("D", Text(stuck, "state"));
        Assert.True(stuck.GetProperty("recovered_mib").GetDouble() < 16, stuck.GetRawText());
        Assert.Equal("stuck-in-mmput", Text(victimSettle, "reason"));
        Assert.False(victimSettle.GetProperty("reaped").GetBoolean());
        Assert.False(victimSettle.GetProperty("gone").GetBoolean());
        Assert.True(victimSettle.GetProperty("excluded").GetBoolean());
        Assert.DoesNotContain(daemon.Named("settle"), e => Pid(e) == victim && Text(e, "reason") is "reaped" or "exited");

        // The rule (docs/daemon.md, the settle gate): after process_mrelease answered ESRCH, the gate stays closed until
        // the pidfd has stayed unreadable for the stuck grace (1 s) with available memory not up by a 32nd of what the
        // victim held (the sign of an exit in progress); only then is the victim called stuck, excluded, and the gate opened. So no other
        // process is chosen or signalled before that settle event, and that event comes at least the stuck grace
        // after the reap (less the 1 ms resolution of the gate's millisecond clock).
        IReadOnlyList<JsonElement> events = daemon.Events;
        int settleIndex = IndexOf(events, victimSettle);
        Assert.True(IndexOf(events, stuck) < settleIndex);
        Assert.All(events.Take(settleIndex), e =>
        {
            if (Text(e, "event") is "choice" or "signal" or "reap")
            {
                Assert.Equal(victim, Pid(e));
            }
        });
        Assert.True(Mono(victimSettle) - Mono(reap) >= StuckGraceMs - 1, $"settled {Mono(victimSettle) - Mono(reap)} ms after the reap");

        // Then, memory still at the kill level, the next candidate went, and its memory came back. The stuck victim
        // was never chosen again, and the only other process, the last allocator, lives.
        JsonElement[] choices = [.. daemon.Named("choice")];
        Assert.Equal(new[] { victim, first.Pid }, choices.Select(Pid));
        Assert.Contains(Text(firstSettle, "reason"), new[] { "reaped", "exited" });
        Assert.All(daemon.Named("signal"), e => Assert.Contains(Pid(e), new[] { victim, first.Pid }));
        Assert.False(second.HasExited, "a third process was killed");
        Assert.Equal(kernelKillsBefore, cgroup.KernelOomKills);

        // The stuck victim still holds its memory: only aborting its FUSE connection lets its exit finish.
        Assert.Equal("exit_aio", fuse.VictimWchan());
        Assert.True(cgroup.UsageBytes > 256 * MiB, $"usage {cgroup.UsageBytes / MiB} MiB (was {stuckUsage / MiB} MiB while stuck)");
        daemon.StopCleanly();
        Assert.Empty(daemon.UnparsedLines);
        fuse.AbortConnection();
        Assert.True(ProcFacts.WaitUntil(() => !Directory.Exists($"/proc/{victim}")), "the victim did not exit after the abort");
        Assert.True(ProcFacts.WaitUntil(() => cgroup.UsageBytes < 128 * MiB), $"usage {cgroup.UsageBytes / MiB} MiB after the abort");
    }

    private static int Pid(JsonElement e) => e.TryGetProperty("pid", out JsonElement pid) ? pid.GetInt32() : -1;

    private static string? Text(JsonElement e, string name) => e.TryGetProperty(name, out JsonElement value) ? value.GetString() : null;

    private static double Mono(JsonElement e) => e.GetProperty("mono_ms").GetDouble();

    private static int IndexOf(IReadOnlyList<JsonElement> events, JsonElement wanted)
    {
        for (int i = 0; i < events.Count; i++)
        {
            if (events[i].GetRawText() == wanted.GetRawText())
            {
                return i;
            }
        }
        return -1;
    }
}
