using System.Diagnostics;
using System.Text.RegularExpressions;
using Reapd.Testing;

namespace Reapd.Core.Tests.Fuzz;

/// <summary>
/// A short run of the coverage-guided harness (fuzz/run.sh: AFL++ through SharpFuzz), so CI proves the long
/// on-demand run still works: the harness builds, the instrumentation takes, afl-fuzz executes the target and finds
/// nothing. Ten seconds on one /proc parser and ten on the configuration reader (whose instrumentation covers the
/// reapd and Tomlyn assemblies, not only the core); the long runs are fuzz/run.sh by hand (docs/reliability.md).
/// </summary>
public sealed class AflSmokeTests
{
    [Theory]
    [InlineData("stat")]
    [InlineData("config")]
    public async Task The_coverage_guided_harness_runs_a_parser_under_AFL_and_finds_nothing(string target)
    {
        Assert.SkipUnless(File.Exists("/usr/bin/afl-fuzz") || File.Exists("/usr/local/bin/afl-fuzz"), "needs afl-fuzz (Debian package afl++)");
        var psi = new ProcessStartInfo("bash")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = NativeProgram.RepositoryRoot,
        };
        foreach (string arg in new[] { "fuzz/run.sh", target, "10" })
        {
            psi.ArgumentList.Add(arg);
        }
        // run.sh publishes the harness in Release, rebuilding Reapd.Core and reapd: not while the NativeAOT publish of
        // another test project reads them.
        using IDisposable releaseBuilds = PublishedReapd.LockReleaseBuilds();
        using Process run = Process.Start(psi)!;
        Task<string> stderrText = run.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        string stdout = await run.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        await run.WaitForExitAsync(TestContext.Current.CancellationToken);
        string stderr = await stderrText;

        Assert.True(run.ExitCode == 0, $"fuzz/run.sh exited {run.ExitCode}\n{stdout}\n{stderr}");
        Match summary = Regex.Match(stdout, $"^{target}: ([0-9]+) executions, [0-9]+ corpus entries, 0 crashes, 0 hangs$", RegexOptions.Multiline);
        Assert.True(summary.Success, stdout);
        Assert.True(long.Parse(summary.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) > 1000, stdout);
    }
}
