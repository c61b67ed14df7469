using System.Diagnostics;

namespace Reapd.Testing;

/// <summary>
/// Builds the small C helper programs in tests/native with the system C compiler (NativeAOT needs one anyway)
/// and returns the path of the executable. Each program is built once per source content (its .c and the folder's
/// headers), into
/// artifacts/native/ at the repository root; concurrent test processes serialize on a lock file.
/// </summary>
public static class NativeProgram
{
    public static string RepositoryRoot { get; } = FindRepositoryRoot();

    public static string SourceDirectory => Path.Combine(RepositoryRoot, "tests", "native");

    /// <summary>Path of the built program tests/native/NAME.c (extra compiler flags, e.g. "-pthread").</summary>
    public static string Build(string name, params string[] extraFlags)
    {
        string source = Path.Combine(SourceDirectory, name + ".c");
        if (!File.Exists(source))
        {
            throw new FileNotFoundException($"no C helper {source}");
        }
        string outDir = Path.Combine(RepositoryRoot, "artifacts", "native");
        Directory.CreateDirectory(outDir);
        // The headers of the folder (helper_setup.h) are part of every helper's content: a change to one rebuilds them.
        IEnumerable<byte> content = File.ReadAllBytes(source);
        foreach (string header in Directory.EnumerateFiles(SourceDirectory, "*.h").Order(StringComparer.Ordinal))
        {
            content = content.Concat(File.ReadAllBytes(header));
        }
        string hash = Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(
            content.Concat(System.Text.Encoding.UTF8.GetBytes(string.Join(' ', extraFlags))).ToArray()))[..12];
        string output = Path.Combine(outDir, $"{name}-{hash}");
        if (File.Exists(output))
        {
            return output;
        }
        using var lockFile = AcquireLock(Path.Combine(outDir, name + ".lock"));
        if (File.Exists(output))
        {
            return output;
        }
        string temp = output + ".tmp" + Environment.ProcessId;
        var psi = new ProcessStartInfo("cc") { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (string arg in new[] { "-O2", "-Wall", "-Werror", "-D_GNU_SOURCE", "-o", temp, source }.Concat(extraFlags))
        {
            psi.ArgumentList.Add(arg);
        }
        using var cc = Process.Start(psi)!;
        string errors = cc.StandardError.ReadToEnd();
        cc.WaitForExit();
        if (cc.ExitCode != 0)
        {
            throw new InvalidOperationException($"cc failed to build {source}:\n{errors}");
        }
        File.Move(temp, output, overwrite: true);
        return output;
    }

    private static FileStream AcquireLock(string path)
    {
        for (int i = 0; ; i++)
        {
            try
            {
                return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, 1, FileOptions.DeleteOnClose);
            }
            catch (IOException) when (i < 600)
            {
                Thread.Sleep(100);
            }
        }
    }

    private static string FindRepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir != null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "reapd.slnx")))
            {
                return dir.FullName;
            }
        }
        throw new InvalidOperationException("cannot find the repository root (reapd.slnx) above " + AppContext.BaseDirectory);
    }
}
