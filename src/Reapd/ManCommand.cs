using System.CommandLine;
using Reapd.CommandLine;

namespace Reapd;

/// <summary>
/// Hidden commands that render the manual from the command definitions: `reapd man` prints reapd(8), checked in as
/// docs/reapd.8; `reapd readme-commands` prints README's command table. A test fails when either checked-in text
/// differs from what these print.
/// </summary>
internal static class ManCommand
{
    public static ManPageInfo Info { get; } = new(
        Section: 8,
        Version: ReapdVersion.Text,
        Manual: "System Administration",
        ExitStatus: ExitCodes.Documented,
        Environment:
        [
            new("NOTIFY_SOCKET", "set by systemd for a Type=notify service: reapd run sends READY=1, STATUS=, WATCHDOG=1 and STOPPING=1 there (docs/systemd.md)."),
            new("WATCHDOG_USEC", "with WATCHDOG_PID: the watchdog timeout systemd expects WATCHDOG=1 within."),
            new("JOURNAL_STREAM", "when it names reapd run's stdout, each event goes to journald's native socket as an entry with REAPD_* fields (journalctl -u reapd REAPD_EVENT=kill; docs/daemon.md); without that socket, event lines carry a syslog priority prefix instead of a timestamp."),
        ],
        Files:
        [
            new("/proc/meminfo", "MemAvailable, MemTotal, SwapFree and SwapTotal: the system scope's available memory."),
            new("/proc/pressure/memory", "memory pressure stall information: the full-stall kill condition and the wake-up triggers."),
            new("/proc/PID/", "stat, status, oom_score_adj, cgroup and cmdline of every candidate; a victim's pidfd is opened before its start time is checked."),
            new("/sys/fs/cgroup/", "with --cgroup: memory.current, memory.max, memory.events and memory.pressure (v2), or memory.usage_in_bytes, memory.limit_in_bytes and memory.pressure_level (v1)."),
        ],
        SeeAlso: ["earlyoom(1)", "systemd-oomd.service(8)", "pidfd_open(2)", "pidfd_send_signal(2)", "proc(5)", "cgroups(7)"]);

    public static Command Create(DocumentedCommand root)
    {
        var command = new Command("man", "prints the reapd(8) man page (docs/reapd.8) generated from the command definitions") { Hidden = true };
        command.SetAction(result =>
        {
            ManPage.Write(root, Info, result.InvocationConfiguration.Output);
            return ExitCodes.Ok;
        });
        return command;
    }

    public static Command CreateReadmeTable(DocumentedCommand root)
    {
        var command = new Command("readme-commands", "prints README's command table generated from the command definitions") { Hidden = true };
        command.SetAction(result =>
        {
            MarkdownCommandTable.Write(root, Info.ExitStatus, result.InvocationConfiguration.Output);
            return ExitCodes.Ok;
        });
        return command;
    }
}
