using System.Diagnostics;

namespace Reapd.Bench;

/// <summary>
/// Finds the reapd binary under test: the one given with --reapd, or src/Reapd published with NativeAOT into
/// artifacts/bench-reapd (published again only when something under src/ is newer). Then checks that its
/// 'run' command exists (on a branch where the daemon has not landed, 'run' says it is not built yet).
/// </summary>
internal static class ReapdBinary
{
    public static (string? Path, string? Missing) Locate(string repositoryRoot, string? given)
    {
        string binary = given ?? Path.Combine(repositoryRoot, "artifacts", "bench-reapd", "reapd");
        if (given is null && (!File.Exists(binary) || SourcesNewer(repositoryRoot, File.GetLastWriteTimeUtc(binary))))
        {
            Console.WriteLine("bench: publishing reapd (NativeAOT) into artifacts/bench-reapd ...");
            var psi = new ProcessStartInfo("dotnet") { WorkingDirectory = repositoryRoot, RedirectStandardOutput = true, RedirectStandardError = true };
            foreach (string a in new[] { "publish", "src/Reapd/Reapd.csproj", "-c", "Release", "-o", Path.GetDirectoryName(binary)!, "-nologo" })
            {
                psi.ArgumentList.Add(a);
            }
            using var p = Process.Start(psi)!;
            var err = p.StandardError.ReadToEndAsync();
            string output = p.StandardOutput.ReadToEnd();
            p.WaitForExit();
            if (p.ExitCode != 0)
            {
                return (null, "dotnet publish of src/Reapd failed: " + LastLines(output + err.Result));
            }
            File.SetLastWriteTimeUtc(binary, DateTime.UtcNow);
        }
        if (!File.Exists(binary))
        {
            return (null, $"no reapd binary at {binary}");
        }
        // Probe 'run' in dry-run mode for a moment: a stub exits at once saying so; the daemon keeps running.
        using var probe = ChildProcess.Start("reapd-probe", binary, ["run", "--dry-run", "--json"]);
        if (probe.WaitForExit(TimeSpan.FromSeconds(1.5)))
        {
            return (null, $"'reapd run' is not available in this tree (exit {probe.ExitCode}: {string.Join(" ", probe.Errors).Trim()})");
        }
        probe.Stop(TimeSpan.FromSeconds(3));
        return (binary, null);
    }

    private static bool SourcesNewer(string root, DateTime stampUtc) =>
        Directory.EnumerateFiles(Path.Combine(root, "src"), "*", SearchOption.AllDirectories)
            .Where(f => !f.Contains("/bin/", StringComparison.Ordinal) && !f.Contains("/obj/", StringComparison.Ordinal))
            .Append(Path.Combine(root, "Directory.Build.props")).Append(Path.Combine(root, "Directory.Packages.props"))
            .Any(f => File.GetLastWriteTimeUtc(f) > stampUtc);

    private static string LastLines(string text) => string.Join(" | ", text.Split('\n', StringSplitOptions.RemoveEmptyEntries).TakeLast(5));
}
