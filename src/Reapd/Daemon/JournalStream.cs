namespace Reapd.Daemon;

/// <summary>
/// Whether stdout is connected to the systemd journal: systemd sets JOURNAL_STREAM="DEV:INODE" of the stream it
/// connected (systemd.exec(5)); if stdout still is that socket, lines get "&lt;N&gt;" syslog priority prefixes
/// (sd-daemon(3)) instead of timestamps, which the journal adds itself.
/// </summary>
internal static class JournalStream
{
    public static bool StdoutIsJournal() =>
        IsSameStream(Environment.GetEnvironmentVariable("JOURNAL_STREAM"), ReadLink("/proc/self/fd/1"));

    /// <summary>
    /// Compares JOURNAL_STREAM ("8:123456") with the target of /proc/self/fd/1 ("socket:[123456]"). Every socket
    /// lives on the one sockfs device, so the inode decides; a redirected stdout (a file, a pipe) never matches.
    /// </summary>
    public static bool IsSameStream(string? journalStream, string? stdoutLink)
    {
        if (string.IsNullOrEmpty(journalStream) || string.IsNullOrEmpty(stdoutLink))
        {
            return false;
        }
        int colon = journalStream.IndexOf(':', StringComparison.Ordinal);
        if (colon <= 0 || !ulong.TryParse(journalStream.AsSpan(colon + 1), out ulong inode))
        {
            return false;
        }
        return stdoutLink == $"socket:[{inode}]";
    }

    private static string? ReadLink(string path)
    {
        try
        {
            return new FileInfo(path).LinkTarget;
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
    }
}
