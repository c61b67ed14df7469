using System.Diagnostics;
using Reapd.Testing;

namespace Reapd.Tests;

/// <summary>Runs the published NativeAOT reapd binary with arguments and collects its exit code and output.</summary>
internal static class ReapdBinary
{
    public static (int Code, string Stdout, string Stderr) Run(params string[] args) => RunAs(null, args);

    /// <summary>Runs it under prlimit with RLIMIT_NOFILE lowered to <paramref name="openFiles"/> (for it alone).</summary>
    public static (int Code, string Stdout, string Stderr) RunWithOpenFilesLimit(int openFiles, params string[] args) =>
        Start("prlimit", [$"--nofile={openFiles}:{openFiles}", PublishedReapd.BinaryPath, .. args]);

    /// <summary>Runs it through setpriv as another uid with no capabilities (null: as this process's user).</summary>
    public static (int Code, string Stdout, string Stderr) RunAs(int? uid, params string[] args)
    {
        var psi = new ProcessStartInfo(uid is null ? PublishedReapd.BinaryPath : "setpriv")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        if (uid is not null)
        {
            foreach (string arg in new[] { $"--reuid={uid}", $"--regid={uid}", "--clear-groups", "--inh-caps=-all", "--bounding-set=-all", PublishedReapd.BinaryPath })
            {
                psi.ArgumentList.Add(arg);
            }
        }
        foreach (string arg in args)
        {
            psi.ArgumentList.Add(arg);
        }
        using var process = Process.Start(psi)!;
        var stderr = process.StandardError.ReadToEndAsync();
        string stdout = process.StandardOutput.ReadToEnd();
        Assert.True(process.WaitForExit(60_000), "reapd did not exit within 60 s");
        return (process.ExitCode, stdout, stderr.Result);
    }

    /// <summary>Runs <paramref name="program"/> (a wrapper such as setpriv or prlimit in front of reapd) and collects what it gives.</summary>
    public static (int Code, string Stdout, string Stderr) Start(string program, string[] args)
    {
        var psi = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string arg in args)
        {
            psi.ArgumentList.Add(arg);
        }
        using var process = Process.Start(psi)!;
        var stderr = process.StandardError.ReadToEndAsync();
        string stdout = process.StandardOutput.ReadToEnd();
        Assert.True(process.WaitForExit(60_000), program + " did not exit within 60 s");
        return (process.ExitCode, stdout, stderr.Result);
    }
}
