namespace Reapd.Tests;

/// <summary>kill(2) by pid, for signalling processes the test itself started.</summary>
internal static class RunSignals
{
    public static int Send(int pid, int signal) => kill(pid, signal);

    [System.Runtime.InteropServices.DllImport("libc", SetLastError = true)]
    private static extern int kill(int pid, int sig);
}
