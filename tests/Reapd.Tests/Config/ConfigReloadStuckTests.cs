using System.Text.Json;
using Reapd.Testing;

namespace Reapd.Tests.Config;

/// <summary>
/// A SIGHUP whose configuration file lives on a file system that never answers a read (tests/native/fuse_stuck.c: its
/// one file's FUSE_READ is never answered), while a real emergency happens in the real daemon's v1 cgroup: the read
/// holds the reload thread, not the decision loop, so the hog is signalled while the reload is still inside its read
/// (the read cannot return before the test aborts the connection, so the order is certain, not timed). The reload is
/// reported late, and once the connection is aborted it completes (refused: the file could not be read) and the
/// daemon stops cleanly. The file is reached through a symbolic link that named an ordinary file at start.
/// </summary>
public sealed class ConfigReloadStuckTests : IDisposable
{
    private const long MiB = 1L << 20;
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("reapd-reload-stuck-");

    [Fact]
    public void A_reload_stuck_reading_its_file_does_not_hold_a_kill_and_is_reported_late_then_completes()
    {
        using TestCgroup cgroup = TestCgroup.Create(256 * MiB, "reloadstuck");
        using TestCgroup elsewhere = TestCgroup.Create(64 * MiB, "reloadfuse");
        string real = Path.Combine(_dir.FullName, "reapd.toml");
        File.WriteAllText(real, "[memory]\nterm_percent = 25\nkill_percent = 5\n");
        string link = Path.Combine(_dir.FullName, "link.toml");
        File.CreateSymbolicLink(link, real);
        using RunDaemon daemon = RunDaemon.Start("--cgroup", cgroup.Path, "--config", link);

        FuseStuck stuck = FuseStuck.StartWithFileBytes(8, Path.Combine(elsewhere.Path, "cgroup.procs"), 64);
        try
        {
            File.Delete(link);
            File.CreateSymbolicLink(link, Path.Combine(stuck.MountDirectory, "stuck"));
            _ = RunSignals.Send(daemon.Pid, 1);

            // 220 MiB of 256: about 14 % available, below the term level of 25 %. It dies on SIGTERM.
            using HelperProcess hog = RunHogs.Start(cgroup, 220, ignoreTerm: false);
            JsonElement signal = daemon.WaitFor("signal", e => e.GetProperty("pid").GetInt32() == hog.Pid);
            Assert.Equal("Sent", Text(signal, "result"));
            Assert.True(hog.WaitForExit(10_000), "the hog is still alive");
            // The reload that could not be read is said (2 s after it began, at the loop's next wake-up).
            daemon.WaitFor("warning", e => Text(e, "what") == "reload");
            // The reload is still inside its read: nothing was swapped in or refused while the kill went on.
            Assert.Empty(daemon.Named("reloaded"));
            Assert.Empty(daemon.Named("reload-refused"));
        }
        finally
        {
            // Aborts the connection: the read fails, and the reload answers.
            stuck.Dispose();
        }
        JsonElement refused = daemon.WaitFor("reload-refused", _ => true);
        Assert.Contains("cannot be read", refused.GetProperty("problems")[0].GetProperty("problem").GetString(), StringComparison.Ordinal);
        daemon.StopCleanly();
    }

    private static string Text(JsonElement e, string key) => e.TryGetProperty(key, out JsonElement p) ? p.ToString() : "";

    public void Dispose() => _dir.Delete(recursive: true);
}
