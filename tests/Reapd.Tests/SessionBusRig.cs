using System.Diagnostics;
using System.Runtime.InteropServices;
using Reapd.Testing;

namespace Reapd.Tests;

/// <summary>
/// A real dbus-daemon serving as the session bus of an unprivileged uid where a logged-in user's would be:
/// /run/user/UID/bus, the daemon running as that uid (setpriv), so the socket and its directory are that user's as
/// logind and dbus-user-session make them. Its policy also lets root connect, so a listener in the test process can
/// own org.freedesktop.Notifications; the listener checks the uid of whoever calls it. Skips with the reason when not
/// root, when dbus-daemon or setpriv is missing, or when that uid already has a runtime directory (a real session).
/// Dispose stops the daemon (by its pid) and removes every directory and file it made.
/// </summary>
internal sealed class SessionBusRig : IDisposable
{
    public const uint NobodyUid = 65534;
    public const uint NobodyGid = 65534;

    private readonly Process _daemon;
    private readonly string _configDir;
    private readonly bool _createdRuntimeRoot;

    private SessionBusRig(Process daemon, string configDir, string runtimeDir, bool createdRuntimeRoot)
    {
        _daemon = daemon;
        _configDir = configDir;
        RuntimeDir = runtimeDir;
        _createdRuntimeRoot = createdRuntimeRoot;
    }

    public string RuntimeDir { get; }

    public string SocketPath => Path.Combine(RuntimeDir, "bus");

    public string Address => "unix:path=" + SocketPath;

    public static SessionBusRig Start()
    {
        Root.Require();
        Assert.SkipUnless(File.Exists("/usr/bin/dbus-daemon"), "needs dbus-daemon (apt-get install dbus-daemon)");
        Assert.SkipUnless(File.Exists("/usr/bin/setpriv"), "needs setpriv (util-linux)");
        string runtimeDir = $"/run/user/{NobodyUid}";
        Assert.SkipWhen(Directory.Exists(runtimeDir), $"{runtimeDir} exists: a session of uid {NobodyUid} is running here");
        bool createdRoot = !Directory.Exists("/run/user");
        Directory.CreateDirectory(runtimeDir);
        string configDir = Directory.CreateTempSubdirectory("reapd-bus-").FullName;
        Process? daemon = null;
        try
        {
            Check(chown(runtimeDir, NobodyUid, NobodyGid), "chown " + runtimeDir);
            SetMode(runtimeDir, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            // The daemon reads its configuration as the unprivileged uid.
            SetMode(configDir, (UnixFileMode)0b111_101_101);
            string config = Path.Combine(configDir, "session.conf");
            File.WriteAllText(config, $"""
                <!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN" "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
                <busconfig>
                  <type>session</type>
                  <listen>unix:path={runtimeDir}/bus</listen>
                  <auth>EXTERNAL</auth>
                  <policy context="default">
                    <allow user="root"/>
                    <allow user="{NobodyUid}"/>
                    <allow send_destination="*" eavesdrop="true"/>
                    <allow eavesdrop="true"/>
                    <allow own="*"/>
                  </policy>
                </busconfig>
                """);
            SetMode(config, (UnixFileMode)0b110_100_100);
            var psi = new ProcessStartInfo("/usr/bin/setpriv") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            foreach (string arg in new[] { $"--reuid={NobodyUid}", $"--regid={NobodyGid}", "--clear-groups", "/usr/bin/dbus-daemon", "--config-file=" + config, "--nofork", "--print-address=1" })
            {
                psi.ArgumentList.Add(arg);
            }
            daemon = Process.Start(psi)!;
            Task<string?> address = daemon.StandardOutput.ReadLineAsync();
            Assert.True(address.Wait(10_000) && address.Result is not null, "dbus-daemon printed no address: " + (daemon.HasExited ? daemon.StandardError.ReadToEnd() : "(still starting)"));
            Assert.StartsWith($"unix:path={runtimeDir}/bus", address.Result);
            return new SessionBusRig(daemon, configDir, runtimeDir, createdRoot);
        }
        catch
        {
            Stop(daemon);
            Remove(runtimeDir, configDir, createdRoot);
            throw;
        }
    }

    public void Dispose()
    {
        Stop(_daemon);
        Remove(RuntimeDir, _configDir, _createdRuntimeRoot);
    }

    private static void Stop(Process? daemon)
    {
        if (daemon is null)
        {
            return;
        }
        if (!daemon.HasExited)
        {
            daemon.Kill();
            daemon.WaitForExit(10_000);
        }
        daemon.Dispose();
    }

    private static void Remove(string runtimeDir, string configDir, bool createdRoot)
    {
        Directory.Delete(runtimeDir, recursive: true);
        Directory.Delete(configDir, recursive: true);
        if (createdRoot)
        {
            Directory.Delete("/run/user");
        }
    }

    private static void SetMode(string path, UnixFileMode mode)
    {
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, mode);
        }
    }

    private static void Check(int result, string what)
    {
        if (result != 0)
        {
            throw new IOException($"{what} failed: errno {Marshal.GetLastPInvokeError()}");
        }
    }

    [DllImport("libc", SetLastError = true)]
    private static extern int chown([MarshalAs(UnmanagedType.LPUTF8Str)] string path, uint owner, uint group);
}
