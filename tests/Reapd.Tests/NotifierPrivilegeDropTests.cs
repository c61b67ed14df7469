using Reapd.Announce;

namespace Reapd.Tests;

/// <summary>
/// The desktop notifier (`reapd internal-notify UID GID SOCKET SUMMARY BODY`, started by the daemon) drops to the
/// session's user before it touches the bus. It must never go on as root, nor as the user but with root's
/// supplementary groups.
/// </summary>
public sealed class NotifierPrivilegeDropTests
{
    [Fact]
    public void The_notifier_refuses_to_run_as_root()
    {
        (int code, string stdout, string stderr) = ReapdBinary.Run("internal-notify", "0", "0", "/nonexistent/bus", "summary", "body");
        Assert.Equal(ChildCommand.CannotBecomeUserExitCode, code);
        Assert.Contains("refusing to run as root", stderr, StringComparison.Ordinal);
        Assert.Empty(stdout);
    }

    [Fact]
    public void A_notifier_that_cannot_clear_its_supplementary_groups_stops_before_the_bus()
    {
        Assert.SkipUnless(geteuid() == 0, "needs root: it starts the notifier as root without CAP_SETGID");
        // Root with gid 65534 already, groups 4 and 27, and no CAP_SETGID: setgroups(0) fails with EPERM while
        // setresgid to the gid it has and setresuid (CAP_SETUID) would succeed, which used to leave a process with
        // the user's uid and root's groups that went on to connect (exit 11: the bus does not exist).
        (int code, string stdout, string stderr) = ReapdBinary.Start("setpriv", ["--regid", "65534", "--groups", "4,27", "--bounding-set", "-setgid",
            Reapd.Testing.PublishedReapd.BinaryPath, "internal-notify", "65534", "65534", "/nonexistent/bus", "summary", "body"]);
        Assert.Equal(ChildCommand.CannotBecomeUserExitCode, code);
        Assert.Contains("setgroups: EPERM", stderr, StringComparison.Ordinal);
        Assert.Empty(stdout);
    }

    [System.Runtime.InteropServices.DllImport("libc")]
    private static extern uint geteuid();
}
