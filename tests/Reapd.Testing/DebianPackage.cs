using System.Diagnostics;

namespace Reapd.Testing;

/// <summary>
/// reapd's Debian package, built by packaging/deb/build-deb.sh from the published binary (<see cref="PublishedReapd"/>)
/// into artifacts/deb/ once per test process. Tests that need it are skipped with the reason where the machine lacks
/// dpkg-deb or dpkg-shlibdeps (apt-get install dpkg-dev).
/// </summary>
public static class DebianPackage
{
    private static readonly Lazy<string> s_built = new(Build);

    public static string Script => Path.Combine(NativeProgram.RepositoryRoot, "packaging", "deb", "build-deb.sh");

    /// <summary>The path of reapd_VERSION_amd64.deb; skips the calling test where the tools are missing.</summary>
    public static string FilePath
    {
        get
        {
            RequireTools();
            return s_built.Value;
        }
    }

    public static void RequireTools()
    {
        foreach (string tool in new[] { "/usr/bin/dpkg-deb", "/usr/bin/dpkg-shlibdeps", "/usr/bin/strip" })
        {
            Assert.SkipUnless(File.Exists(tool), $"needs {tool} to build the Debian package (apt-get install dpkg-dev)");
        }
    }

    /// <summary>Runs the build script with the arguments; exit code, stdout and stderr.</summary>
    public static (int ExitCode, string Stdout, string Stderr) RunScript(params string[] args)
    {
        var psi = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true };
        psi.ArgumentList.Add(Script);
        foreach (string arg in args)
        {
            psi.ArgumentList.Add(arg);
        }
        using Process script = Process.Start(psi)!;
        Task<string> stderr = script.StandardError.ReadToEndAsync();
        string stdout = script.StandardOutput.ReadToEnd();
        script.WaitForExit();
        return (script.ExitCode, stdout, stderr.Result);
    }

    private static string Build()
    {
        string outDir = Path.Combine(NativeProgram.RepositoryRoot, "artifacts", "deb");
        (int exitCode, string stdout, string stderr) = RunScript("--binary", PublishedReapd.BinaryPath, "--out", outDir);
        if (exitCode != 0)
        {
            throw new InvalidOperationException($"build-deb.sh failed with exit code {exitCode}:\n{stderr}");
        }
        string deb = stdout.Trim().Split('\n')[^1];
        return File.Exists(deb) ? deb : throw new InvalidOperationException($"build-deb.sh printed no package path:\n{stdout}\n{stderr}");
    }
}
