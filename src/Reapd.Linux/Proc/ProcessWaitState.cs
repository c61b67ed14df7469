namespace Reapd.Linux.Proc;

/// <summary>
/// Where a process waits: /proc/PID/wchan (the kernel function it sleeps in, e.g. exit_aio) and the State line of
/// /proc/PID/status (D = uninterruptible). Read only for the rare `stuck` event, so plain strings; "?" when the
/// process or the file is gone or unreadable.
/// </summary>
public static class ProcessWaitState
{
    public static bool TryRead(int pid, out string waitChannel, out string state, string procRoot = "/proc")
    {
        waitChannel = ReadText(Path.Combine(procRoot, pid.ToString(System.Globalization.CultureInfo.InvariantCulture), "wchan")) ?? "?";
        state = "?";
        string? status = ReadText(Path.Combine(procRoot, pid.ToString(System.Globalization.CultureInfo.InvariantCulture), "status"));
        if (status is null)
        {
            return false;
        }
        foreach (string line in status.Split('\n'))
        {
            if (line.StartsWith("State:", StringComparison.Ordinal))
            {
                state = line[6..].Trim();
                break;
            }
        }
        return true;
    }

    private static string? ReadText(string path)
    {
        try
        {
            return File.ReadAllText(path).Trim();
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
