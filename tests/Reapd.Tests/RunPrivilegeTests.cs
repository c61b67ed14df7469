using Reapd.Testing;

namespace Reapd.Tests;

public sealed class RunPrivilegeTests
{
    [Fact]
    public void Run_without_its_capabilities_names_what_is_missing_and_starts_nothing()
    {
        Root.Require();
        var (code, stdout, stderr) = ReapdBinary.RunAs(65534, "run");
        Assert.Equal(ExitCodes.NotPermitted, code);
        Assert.Equal("", stdout);
        Assert.Equal(
            "reapd run: not permitted: missing CAP_KILL and CAP_SYS_PTRACE (run as root, or use --dry-run to watch without acting)",
            stderr.TrimEnd('\n'));
    }
}
