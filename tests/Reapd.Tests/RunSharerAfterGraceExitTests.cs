using System.Text.Json;
using Reapd.Testing;

namespace Reapd.Tests;

/// <summary>
/// A SIGTERMed victim that exits within its grace while another process shares its mm (clone(CLONE_VM)): the memory
/// stays with the sharer, so reapd SIGKILLs the sharer and reaps through it, as the kernel's oom_kill_process takes
/// every process on the victim's mm. Real NativeAOT binary, real child v1 memory cgroup, helpers at adj 1000.
/// </summary>
public sealed class RunSharerAfterGraceExitTests
{
    private const long MiB = 1L << 20;

    [Fact]
    public void When_the_SIGTERMed_victim_exits_its_mm_sharer_gets_the_SIGKILL_and_the_memory_comes_back()
    {
        using TestCgroup cgroup = TestCgroup.Create(512 * MiB, "graceshare");
        using var pair = HelperProcess.Start("clone_vm", ["--mib", "300", "--cgroup-procs", Path.Combine(cgroup.Path, "cgroup.procs")]);
        string ready = pair.WaitForLine(" ready ");
        string[] words = ready.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        int parent = int.Parse(words[1], System.Globalization.CultureInfo.InvariantCulture);
        int child = int.Parse(words[3], System.Globalization.CultureInfo.InvariantCulture);
        long kernelKillsBefore = cgroup.KernelOomKills;
        // A long grace: only the victim's own exit on SIGTERM can end it.
        using RunDaemon daemon = RunDaemon.Start("--cgroup", cgroup.Path, "--grace", "60s");

        // 300 + 170 MiB of 512: below the term level (51 MiB), above the kill level (26 MiB).
        using HelperProcess hog = RunHogs.Start(cgroup, 170);
        JsonElement settle = daemon.WaitFor("settle", _ => true);
        hog.WaitForLine(" ready ");

        JsonElement term = daemon.Named("signal").Single(e => e.GetProperty("signal").GetString() == "SIGTERM");
        int victim = term.GetProperty("pid").GetInt32();
        int sharer = victim == parent ? child : parent;
        Assert.Contains(victim, new[] { parent, child });
        JsonElement sharerKill = daemon.Named("signal").Single(e => e.GetProperty("result").GetString() == "sharers");
        Assert.Equal(victim, sharerKill.GetProperty("pid").GetInt32());
        Assert.Contains(sharerKill.GetProperty("sharers").EnumerateArray(), s => s.GetProperty("pid").GetInt32() == sharer && s.GetProperty("result").GetString() == "Sent");
        Assert.Contains(settle.GetProperty("reason").GetString(), new[] { "reaped", "exited" });
        Assert.True(ProcFacts.WaitUntil(() => !Directory.Exists($"/proc/{sharer}") || File.ReadAllText($"/proc/{sharer}/stat").Contains(") Z ", StringComparison.Ordinal)), "the sharer is still alive");
        Assert.False(hog.HasExited, "the hog died too");
        Assert.DoesNotContain(daemon.Named("choice"), e => e.GetProperty("pid").GetInt32() == hog.Pid);
        Assert.True(ProcFacts.WaitUntil(() => cgroup.UsageBytes < 256 * MiB), $"usage {cgroup.UsageBytes / MiB} MiB: the shared memory did not come back");
        Assert.Equal(kernelKillsBefore, cgroup.KernelOomKills);
        daemon.StopCleanly();
        Assert.Empty(daemon.UnparsedLines);
    }
}
