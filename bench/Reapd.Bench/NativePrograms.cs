using System.Diagnostics;

namespace Reapd.Bench;

/// <summary>
/// Builds the C programs the runner drives (tests/native/hog.c, tests/native/fuse_stuck.c, bench/native/*.c) with
/// the system C compiler into artifacts/bench-native/, once per source content.
/// </summary>
internal static class NativePrograms
{
    public static string Build(string repositoryRoot, string relativeSource, params string[] extraFlags)
    {
        string source = Path.Combine(repositoryRoot, relativeSource);
        if (!File.Exists(source))
        {
            throw new FileNotFoundException($"no C source {source}");
        }
        string outDir = Path.Combine(repositoryRoot, "artifacts", "bench-native");
        Directory.CreateDirectory(outDir);
        string hash = Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(source)))[..12];
        // "bench-" first: the comm (15 chars) then tells the runner's processes from other users' builds of the same
        // helpers (tests build tests/native/hog.c too) in traces, logs and the daemons' reports.
        string output = Path.Combine(outDir, "bench-" + Path.GetFileNameWithoutExtension(source) + "-" + hash);
        if (File.Exists(output))
        {
            return output;
        }
        var psi = new ProcessStartInfo("cc") { RedirectStandardError = true };
        foreach (string arg in new[] { "-O2", "-Wall", "-Werror", "-D_GNU_SOURCE", "-o", output + ".tmp", source }.Concat(extraFlags))
        {
            psi.ArgumentList.Add(arg);
        }
        using var cc = Process.Start(psi) ?? throw new InvalidOperationException("cannot start cc");
        string errors = cc.StandardError.ReadToEnd();
        cc.WaitForExit();
        if (cc.ExitCode != 0)
        {
            throw new InvalidOperationException($"cc failed on {source}:\n{errors}");
        }
        File.Move(output + ".tmp", output, overwrite: true);
        return output;
    }
}
