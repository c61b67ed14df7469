using Reapd.Testing;

namespace Reapd.Guest.Tests;

/// <summary>
/// Not a test of reapd: the launcher of the benchmark's guest mode (bench/README.md), here because this project owns
/// the QEMU rig. It boots the 6.12 systemd guest once and runs bench/Reapd.Bench inside it (`--in-guest`: the
/// whole-guest swap thrash with reapd, earlyoom, nohang, systemd-oomd, MGLRU's min_ttl_ms and the kernel alone), then
/// copies the tables, plots and reapd's event logs (events-*.jsonl) it wrote into bench/results/swap-guest. It takes about 25 minutes, so it runs only
/// when asked: REAPD_GUEST_BENCH=1 (REAPD_GUEST_BENCH_ARGS adds runner options, e.g. "--runs 2").
/// </summary>
public sealed class GuestBench
{
    [Fact]
    public void The_swap_thrash_benchmark_runs_in_the_systemd_guest_and_its_results_are_copied_out()
    {
        Assert.SkipUnless(Environment.GetEnvironmentVariable("REAPD_GUEST_BENCH") == "1",
            "the guest benchmark runs only when asked (REAPD_GUEST_BENCH=1): it takes about 25 minutes of TCG guest time");
        string root = NativeProgram.RepositoryRoot;
        string dll = Path.Combine(root, "artifacts", "bench-guest", "Reapd.Bench.dll");
        Assert.SkipUnless(File.Exists(dll), $"build the runner first: dotnet build bench/Reapd.Bench -c Release -o artifacts/bench-guest ({dll} is missing)");
        // The guest sees this tree read-only: the C programs the runner drives are built here first.
        using (var build = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("dotnet", [dll, "--build-programs"])
        { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = root })!)
        {
            string buildOutput = build.StandardOutput.ReadToEnd() + build.StandardError.ReadToEnd();
            build.WaitForExit();
            Assert.True(build.ExitCode == 0, $"building the benchmark's C programs failed:\n{buildOutput}");
        }
        string reapd = Environment.GetEnvironmentVariable("REAPD_GUEST_BENCH_REAPD") is { Length: > 0 } given ? given : PublishedReapd.BinaryPath;
        var options = new GuestOptions
        {
            Systemd = true,
            MemoryMiB = 1536,
            Modules = ["zram"],
            Timeout = TimeSpan.FromMinutes(40),
            Units = new Dictionary<string, string>
            {
                // The runner's own service is never systemd-oomd's pick (as the others' --avoid/--protect rules keep them off it).
                ["reapd-guest-scenario.service.d/50-oomd.conf"] = "[Service]\nManagedOOMPreference=omit\n",
            },
        };
        IReadOnlyDictionary<string, GuestRun> runs = QemuGuest.Run("6.12", ["bench-swap"], options, GuestTools.Env(
            ("BENCH_DLL", dll),
            ("REAPD", reapd),
            ("BENCH_ARGS", Environment.GetEnvironmentVariable("REAPD_GUEST_BENCH_ARGS") ?? "")));
        GuestRun run = runs["bench-swap"];
        // The rig keeps every file the guest wrote (binary-safe) in artifacts/guest-runs/RELEASE/bench-swap.
        string kept = Path.Combine(root, "artifacts", "guest-runs", run.Kernel, "bench-swap");
        string results = Path.Combine(root, "bench", "results", "swap-guest");
        Directory.CreateDirectory(results);
        foreach (string file in Directory.EnumerateFiles(kept).Where(f => f.EndsWith(".md", StringComparison.Ordinal) || f.EndsWith(".png", StringComparison.Ordinal) || f.EndsWith(".csv", StringComparison.Ordinal) || f.EndsWith(".jsonl", StringComparison.Ordinal)))
        {
            File.Copy(file, Path.Combine(results, Path.GetFileName(file)), overwrite: true);
        }
        foreach (string file in new[] { "bench.log", "result.txt" })
        {
            if (File.Exists(Path.Combine(kept, file)))
            {
                File.Copy(Path.Combine(kept, file), Path.Combine(results, "guest-" + file), overwrite: true);
            }
        }
        run.Check(() =>
        {
            Assert.Equal("0", run.Result("bench_exit"));
            Assert.Contains("swap-thrash-guest,reapd,", run.File("runs.csv"), StringComparison.Ordinal);
        });
    }
}
