namespace Reapd.Testing;

/// <summary>Facts about the test process's privileges, for tests that need the real kernel as root.</summary>
public static class Root
{
    public static bool IsRoot => Environment.UserName == "root" || geteuid() == 0;

    [System.Runtime.InteropServices.DllImport("libc")]
    private static extern uint geteuid();

    /// <summary>Skips the calling test with a clear reason when not running as root.</summary>
    public static void Require()
    {
        Assert.SkipUnless(IsRoot, "needs root: it uses pidfds, process_mrelease and child memory cgroups on the real kernel");
    }
}
