using System.Globalization;
using System.Text.Json;
using Reapd.Testing;

namespace Reapd.Tests;

/// <summary>
/// Desktop notifications of the published daemon on a real kill (a hog ramping into a 512 MiB child memory cgroup, v1),
/// told to a real dbus-daemon serving as an unprivileged user's session bus at /run/user/UID/bus. Skipped with the
/// reason when not root, without the v1 memory controller, dbus-daemon or setpriv, or when that uid has a session.
/// In one collection: both use the same runtime directory.
/// </summary>
[Collection(nameof(SessionBusCollection))]
public sealed class RunDesktopNotificationTests
{
    private const long MiB = 1L << 20;

    [Fact]
    public void A_kill_is_announced_on_the_users_session_bus_as_that_user_with_the_victim_and_the_memory_freed()
    {
        using TestCgroup cgroup = TestCgroup.Create(512 * MiB, "notify");
        using SessionBusRig bus = SessionBusRig.Start();
        using NotificationListener listener = NotificationListener.Start(bus.Address);
        using RunDaemon daemon = RunDaemon.Start("--cgroup", cgroup.Path, "--notify-desktop", "on");

        using HelperProcess hog = RunHogs.Start(cgroup, 1024, rateMiBPerSecond: 1024);
        JsonElement settle = daemon.WaitFor("settle", e => e.GetProperty("pid").GetInt32() == hog.Pid);
        string name = daemon.Named("choice")[0].GetProperty("name").GetString()!;
        string pid = hog.Pid.ToString(CultureInfo.InvariantCulture);
        ReceivedNotification notification = listener.WaitFor(n => n.Summary.Contains($"(pid {pid})", StringComparison.Ordinal));
        JsonElement notify = daemon.WaitFor("desktop-notify", e => e.GetProperty("pid").GetInt32() == hog.Pid);
        Assert.True(hog.WaitForExit(10_000), "the hog is still alive");

        Assert.Equal($"reapd killed {name} (pid {pid})", notification.Summary);
        Assert.Equal("reapd", notification.AppName);
        // The bus daemon authenticated the caller as the session's user, not as root.
        Assert.Equal(SessionBusRig.NobodyUid, notification.SenderUid);
        Assert.Equal(2, notification.Urgency);
        // What the kernel confirmed freed: what the hog held when chosen, as the settle event gives it.
        string freed = settle.GetProperty("held_mib").GetDouble().ToString("0.#", CultureInfo.InvariantCulture);
        Assert.StartsWith($"Freed {freed} MiB: ", notification.Body);
        Assert.Contains("cgroup v1 " + cgroup.Path, notification.Body);

        Assert.Equal("sent", notify.GetProperty("result").GetString());
        Assert.Equal(SessionBusRig.NobodyUid, notify.GetProperty("uid").GetUInt32());
        Assert.Equal(bus.SocketPath, notify.GetProperty("bus").GetString());
        daemon.StopCleanly();
    }

    [Fact]
    public void A_session_bus_without_a_notification_server_is_reported_and_the_daemon_goes_on()
    {
        using TestCgroup cgroup = TestCgroup.Create(512 * MiB, "noserver");
        using SessionBusRig bus = SessionBusRig.Start();
        using RunDaemon daemon = RunDaemon.Start("--cgroup", cgroup.Path, "--notify-desktop", "auto");

        using HelperProcess hog = RunHogs.Start(cgroup, 1024, rateMiBPerSecond: 1024);
        JsonElement notify = daemon.WaitFor("desktop-notify", e => e.GetProperty("pid").GetInt32() == hog.Pid);
        Assert.True(hog.WaitForExit(10_000), "the hog is still alive");
        Assert.Equal("no-server", notify.GetProperty("result").GetString());
        Assert.Equal("auto", daemon.Named("start").Single().GetProperty("notify_desktop").GetString());
        daemon.StopCleanly();
    }
}

[CollectionDefinition(nameof(SessionBusCollection), DisableParallelization = true)]
public sealed class SessionBusCollection;
