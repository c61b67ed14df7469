using System.Diagnostics;

namespace Reapd.Testing;

/// <summary>
/// The real reapd binary, published with NativeAOT into artifacts/publish/reapd. It is published again only when a
/// file under src/ is newer than the binary; concurrent test processes serialize on a lock file. The publish log is
/// kept so a test can assert that publishing produced no AOT or trimming warning.
/// </summary>
public static class PublishedReapd
{
    private static readonly Lazy<(string Binary, string Log)> s_published = new(Publish);

    public static string BinaryPath => s_published.Value.Binary;

    /// <summary>The full output of the last 'dotnet publish' that produced the binary.</summary>
    public static string PublishLog => File.ReadAllText(s_published.Value.Log);

    private static (string, string) Publish()
    {
        string root = NativeProgram.RepositoryRoot;
        string outDir = Path.Combine(root, "artifacts", "publish");
        string binary = Path.Combine(outDir, "reapd");
        string log = Path.Combine(root, "artifacts", "publish.log");
        Directory.CreateDirectory(outDir);
        using var lockFile = AcquireLock(Path.Combine(root, "artifacts", "publish.lock"));
        if (File.Exists(binary) && File.Exists(log) && !SourcesNewerThan(File.GetLastWriteTimeUtc(binary), root))
        {
            return (binary, log);
        }
        var psi = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = root,
        };
        foreach (string arg in new[] { "publish", "src/Reapd/Reapd.csproj", "-c", "Release", "-o", outDir, "-nologo", "-clp:NoSummary" })
        {
            psi.ArgumentList.Add(arg);
        }
        using var dotnet = Process.Start(psi)!;
        var stderr = dotnet.StandardError.ReadToEndAsync();
        string stdout = dotnet.StandardOutput.ReadToEnd();
        dotnet.WaitForExit();
        File.WriteAllText(log, stdout + stderr.Result);
        if (dotnet.ExitCode != 0)
        {
            throw new InvalidOperationException("dotnet publish of reapd failed:\n" + stdout + stderr.Result);
        }
        File.SetLastWriteTimeUtc(binary, DateTime.UtcNow);
        return (binary, log);
    }

    private static bool SourcesNewerThan(DateTime stampUtc, string root)
    {
        foreach (string file in Directory.EnumerateFiles(Path.Combine(root, "src"), "*", SearchOption.AllDirectories))
        {
            if (file.Contains("/bin/", StringComparison.Ordinal) || file.Contains("/obj/", StringComparison.Ordinal))
            {
                continue;
            }
            if (File.GetLastWriteTimeUtc(file) > stampUtc)
            {
                return true;
            }
        }
        foreach (string file in new[] { "Directory.Build.props", "Directory.Packages.props", "global.json" })
        {
            if (File.GetLastWriteTimeUtc(Path.Combine(root, file)) > stampUtc)
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>
    /// Holds the lock the publish takes, for another Release build of the solution's projects (fuzz/run.sh publishes the
    /// fuzz harness, which rebuilds Reapd.Core and reapd in Release): the NativeAOT compiler maps those assemblies, and
    /// one rewritten under it dies of SIGBUS (a CI run lost every guest test so). Dispose to release.
    /// </summary>
    public static IDisposable LockReleaseBuilds()
    {
        string artifacts = Path.Combine(NativeProgram.RepositoryRoot, "artifacts");
        Directory.CreateDirectory(artifacts);
        return AcquireLock(Path.Combine(artifacts, "publish.lock"));
    }

    private static FileStream AcquireLock(string path)
    {
        for (int i = 0; ; i++)
        {
            try
            {
                return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, 1, FileOptions.DeleteOnClose);
            }
            catch (IOException) when (i < 6000)
            {
                Thread.Sleep(100);
            }
        }
    }
}
