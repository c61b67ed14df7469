using System.CommandLine;
using System.Globalization;
using Reapd.CommandLine;
using Reapd.Core.Proc;
using Reapd.Core.Selection;
using Reapd.Linux.Kill;
using Reapd.Linux.Proc;
using Reapd.Linux.Sensors;

namespace Reapd;

/// <summary>
/// `reapd kill PID`: runs the kill protocol (docs/kill-protocol.md) on one process and prints what happened and how
/// fast and how much memory came back. Every refusal and error is one line, with nothing signalled.
/// </summary>
internal static class KillCommand
{
    public static DocumentedCommand Create()
    {
        var pid = new Argument<int?>("PID")
        {
            Description = "the process to kill",
            Arity = ArgumentArity.ExactlyOne,
            CustomParser = OptionValues.PositiveInt,
        };
        var grace = new Option<int?>("--grace")
        {
            HelpName = "DURATION",
            Description = "SIGTERM first, SIGKILL when DURATION (500ms, 2s, 1.5s; a bare number is seconds) passes; default 0: SIGKILL at once",
            CustomParser = OptionValues.DurationMs,
        };
        var noReap = new Option<bool>("--no-reap")
        {
            Description = "do not call process_mrelease (to compare how fast memory comes back without it)",
            Arity = ArgumentArity.Zero,
        };
        var wait = new Option<int?>("--wait")
        {
            HelpName = "DURATION",
            Description = "how long to wait for the pidfd to become readable after SIGKILL (default 5s)",
            CustomParser = OptionValues.DurationMs,
        };
        var startTime = new Option<ulong?>("--start-time")
        {
            HelpName = "TICKS",
            Description = "the start time (/proc/PID/stat field 22, `reapd ls --json` start_time_ticks) the process must still have; a different one means the PID was reused, and nothing is killed",
            CustomParser = OptionValues.UnsignedLong,
        };
        var command = new DocumentedCommand("kill",
            "the kill protocol on one process: pidfd first, identity check, mm sharers, SIGTERM/SIGKILL through the pidfd, process_mrelease, and how fast and how much memory came back")
        {
            Details = """
                Kills one process through its pidfd and reaps its memory at once: pidfd first, identity checked by start
                time, processes sharing its memory killed too, SIGKILL (after SIGTERM and the grace, if one is given),
                then process_mrelease. Prints each step, the time to the reap's return and to the pidfd becoming readable
                after SIGKILL, and the memory freed (from the victim's memory cgroup when it is in a child cgroup, else
                its RSS). Refuses PID 1, kernel threads and reapd itself. Needs CAP_KILL and CAP_SYS_PTRACE (root).
                """,
            DocLink = "docs/kill-protocol.md",
        };
        command.Arguments.Add(pid);
        command.Options.Add(grace);
        command.Options.Add(noReap);
        command.Options.Add(wait);
        command.Options.Add(startTime);
        command.SetAction(result => Run(
            result.GetValue(pid)!.Value, result.GetValue(grace) ?? 0, result.GetValue(wait) ?? 5000, !result.GetValue(noReap),
            result.GetValue(startTime), result.InvocationConfiguration.Output, result.InvocationConfiguration.Error));
        return command;
    }

    private static int Run(int victimPid, int graceMs, int waitMs, bool reap, ulong? startTime, TextWriter stdout, TextWriter stderr)
    {
        var reader = new ProcessReader();
        string? missing = Privileges.MissingToAct(reader);
        if (missing is not null)
        {
            stderr.WriteLine($"reapd kill: not permitted: missing {missing} (run as root)");
            return ExitCodes.NotPermitted;
        }

        if (victimPid == 1)
        {
            stderr.WriteLine($"reapd kill: refused: {VictimOpenOutcome.RefusedInit.Describe()}");
            return ExitCodes.Refused;
        }
        if (victimPid == Environment.ProcessId)
        {
            stderr.WriteLine($"reapd kill: refused: {VictimOpenOutcome.RefusedSelf.Describe()}");
            return ExitCodes.Refused;
        }
        switch (reader.TryReadStat(victimPid, out ProcStat stat))
        {
            case ProcReadOutcome.Ok:
                break;
            case ProcReadOutcome.Gone:
                stderr.WriteLine($"reapd kill: no process with PID {victimPid}");
                return ExitCodes.NotFound;
            default:
                stderr.WriteLine($"reapd kill: cannot read /proc/{victimPid}/stat");
                return ExitCodes.Failed;
        }
        if (stat.IsKernelThread)
        {
            stderr.WriteLine($"reapd kill: refused: PID {victimPid} ({stat.Name.ToDisplayString()}) is {VictimOpenOutcome.RefusedKernelThread.Describe()}");
            return ExitCodes.Refused;
        }
        ProcStatus status = MemoryStatus(reader, victimPid, stat, out int memoryThread);
        ulong sampled = startTime ?? stat.StartTimeTicks;
        long rssBytes = (status.RssAnonKiB + status.RssFileKiB + status.RssShmemKiB) * 1024;

        // The victim's own child memory cgroup, if any, gives an exact "memory back" figure.
        KillMemoryWatch? watch = null;
        int[] members = [];
        string? cgroupPath = MemoryCgroupPath(reader, victimPid, memoryThread);
        if (cgroupPath is not null and not "/")
        {
            CgroupTarget? target = CgroupLocator.Resolve(cgroupPath, out _);
            if (target is not null)
            {
                watch = KillMemoryWatch.TryStart(target.Directory, status.RssAnonKiB * 1024);
                members = CgroupMembers(target.Directory);
            }
        }
        using (watch)
        {
            var killOptions = new KillOptions { GraceMs = graceMs, Reap = reap, ExitWaitMs = waitMs };
            KillReport report = KillProtocol.Run(victimPid, sampled, killOptions, reader);
            if (report.Identity != VictimOpenOutcome.Confirmed)
            {
                stderr.WriteLine($"reapd kill: PID {victimPid}: {report.Identity.Describe()}");
                return report.Identity switch
                {
                    VictimOpenOutcome.Gone or VictimOpenOutcome.NotAProcess => ExitCodes.NotFound,
                    VictimOpenOutcome.NotPermitted => ExitCodes.NotPermitted,
                    VictimOpenOutcome.PidReused or VictimOpenOutcome.RefusedInit or VictimOpenOutcome.RefusedKernelThread
                        or VictimOpenOutcome.RefusedSelf => ExitCodes.Refused,
                    _ => ExitCodes.Failed,
                };
            }
            if (report.SharerSearch == SharerSearchOutcome.SharerExcluded && report.ExcludedSharer is { } excluded)
            {
                stderr.WriteLine($"reapd kill: refused: PID {victimPid} shares its memory with PID {excluded.Pid}, which is never killed ({excluded.Reason.Describe()}); nothing signalled");
                return ExitCodes.Refused;
            }
            watch?.StopAfterTargetOr(Math.Max(waitMs, 1000));
            // The cgroup's usage measures the victim only when nothing else lives in it (its sharers aside).
            int others = members.Count(member => member != victimPid && !report.Sharers.Any(sharer => sharer.Pid == member));
            KillOutput.Write(stdout, report, stat, graceMs, rssBytes, watch, others);
            return report.Kill switch
            {
                SignalOutcome.NotPermitted => ExitCodes.NotPermitted,
                SignalOutcome.Sent or SignalOutcome.AlreadyReaped => ExitCodes.Ok,
                null when report.ExitedDuringGrace => ExitCodes.Ok,
                _ => ExitCodes.Failed,
            };
        }
    }

    /// <summary>
    /// The memory figures of the process, from the thread that holds its mm: the leader's status, or, when the leader
    /// no longer has an mm (it exited, or is a zombie while another thread still holds the memory), a live thread's.
    /// </summary>
    private static ProcStatus MemoryStatus(ProcessReader reader, int pid, in ProcStat stat, out int thread)
    {
        _ = reader.TryReadMemoryStatus(pid, stat.NumThreads, out ProcStatus status, out int holder);
        thread = holder == 0 ? pid : holder;
        return status;
    }

    private static int[] CgroupMembers(string directory)
    {
        var reader = new CgroupPidsReader(directory);
        return reader.TryRead(out ReadOnlySpan<int> pids) == ProcReadOutcome.Ok ? pids.ToArray() : [];
    }

    /// <summary>
    /// The v1 memory cgroup of the thread that holds the memory: an exited (zombie) leader has left its cgroups
    /// (kernel/cgroup/cgroup.c cgroup_exit), while the thread still holding the mm is still charged where it was.
    /// </summary>
    private static string? MemoryCgroupPath(ProcessReader reader, int pid, int thread)
    {
        if (thread == pid)
        {
            return reader.TryReadMemoryCgroupPath(pid, out string? path) == ProcReadOutcome.Ok ? path : null;
        }
        try
        {
            byte[] text = File.ReadAllBytes($"/proc/{pid}/task/{thread}/cgroup");
            return ProcCgroupParser.TryFindV1(text, "memory"u8, out ReadOnlySpan<byte> found) ? System.Text.Encoding.UTF8.GetString(found) : null;
        }
        catch (IOException)
        {
            return null;
        }
    }
}
