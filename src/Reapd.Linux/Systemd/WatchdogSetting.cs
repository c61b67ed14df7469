using System.Globalization;

namespace Reapd.Linux.Systemd;

/// <summary>
/// The service watchdog systemd asks for (WatchdogSec= in the unit), read as sd_watchdog_enabled(3) reads it:
/// $WATCHDOG_USEC is the timeout in microseconds; $WATCHDOG_PID, when set, names the process the watchdog is meant
/// for, so a child that inherited the environment does not take it as its own.
/// </summary>
public static class WatchdogSetting
{
    /// <summary>
    /// The timeout in microseconds, or 0 when there is no watchdog for <paramref name="ownPid"/> (unset, or meant for
    /// another process). A value that does not parse also gives 0, with a one-line problem.
    /// </summary>
    public static long TimeoutUsec(string? watchdogUsec, string? watchdogPid, int ownPid, out string? problem)
    {
        problem = null;
        if (string.IsNullOrEmpty(watchdogUsec))
        {
            return 0;
        }
        if (!long.TryParse(watchdogUsec, NumberStyles.None, CultureInfo.InvariantCulture, out long usec) || usec <= 0)
        {
            problem = $"WATCHDOG_USEC='{watchdogUsec}' is not a positive number of microseconds; no watchdog pings";
            return 0;
        }
        if (!string.IsNullOrEmpty(watchdogPid))
        {
            if (!int.TryParse(watchdogPid, NumberStyles.None, CultureInfo.InvariantCulture, out int pid) || pid <= 0)
            {
                problem = $"WATCHDOG_PID='{watchdogPid}' is not a process id; no watchdog pings";
                return 0;
            }
            if (pid != ownPid)
            {
                return 0;
            }
        }
        return usec;
    }
}
