using Reapd.Core.Cgroups;
using Reapd.Core.Proc;
using Reapd.Testing;

namespace Reapd.Fuzz;

/// <summary>
/// One fuzz target per parser of text reapd does not control (/proc and cgroup files). Each target runs the parser on
/// arbitrary bytes and checks its contract; a broken contract throws <see cref="FuzzFindingException"/>, which both
/// the coverage-guided harness (AFL++ through SharpFuzz: an unhandled exception is a crash) and the property tests
/// (tests/Reapd.Core.Tests/Fuzz) report. The contract of every parser here is the same: it never throws, whatever the
/// bytes (a malformed file is the value false, because the kernel's files change under a reader and a hostile process
/// chooses its own comm and cmdline); what it accepts is within the documented ranges; and it allocates nothing, except
/// <see cref="CmdlineParser.ToDisplayString"/>, whose allocation is bounded by the input's length.
/// Shared source: the property tests compile this file too, so both exercise the same checks.
/// </summary>
public static class ParserTargets
{
    /// <summary>The target names, in the order `fuzz/run.sh` and the tests list them.</summary>
    public static readonly string[] Names =
    [
        "stat", "status", "cgroup", "cmdline", "meminfo", "pressure", "oom_score_adj", "cgroup_procs",
        "cgroup_value", "flat_keyed", "memory_events",
    ];

    /// <summary>Runs the named target on <paramref name="input"/>; false for an unknown name.</summary>
    public static bool TryRun(string name, ReadOnlySpan<byte> input)
    {
        switch (name)
        {
            case "stat": Stat(input); return true;
            case "status": Status(input); return true;
            case "cgroup": Cgroup(input); return true;
            case "cmdline": Cmdline(input); return true;
            case "meminfo": MemInfo(input); return true;
            case "pressure": Pressure(input); return true;
            case "oom_score_adj": OomScoreAdj(input); return true;
            case "cgroup_procs": CgroupProcs(input); return true;
            case "cgroup_value": CgroupValue(input); return true;
            case "flat_keyed": FlatKeyed(input); return true;
            case "memory_events": MemoryEventsTarget(input); return true;
            default: return false;
        }
    }

    public static void Stat(ReadOnlySpan<byte> input)
    {
        NoAllocation(input, static i => ProcStatParser.TryParse(i, out _), "ProcStatParser.TryParse");
        bool ok = ProcStatParser.TryParse(input, out ProcStat stat);
        if (ok)
        {
            Check(stat.Pid > 0, $"stat accepted pid {stat.Pid}");
            Check(stat.Name.Length <= ProcessName.CapacityBytes, "stat kept a comm longer than its capacity");
            Check(stat.State != 0, "stat accepted an empty state");
        }
    }

    public static void Status(ReadOnlySpan<byte> input)
    {
        NoAllocation(input, static i => ProcStatusParser.TryParse(i, out _), "ProcStatusParser.TryParse");
        bool ok = ProcStatusParser.TryParse(input, out ProcStatus status);
        if (ok)
        {
            Check(status.Tgid > 0, $"status accepted Tgid {status.Tgid}");
            Check(status.VmRssKiB >= 0 && status.RssAnonKiB >= 0 && status.RssFileKiB >= 0 && status.RssShmemKiB >= 0
                && status.VmSwapKiB >= 0 && status.VmPteKiB >= 0 && status.VmSizeKiB >= 0, "status accepted a negative size");
        }
    }

    public static void Cgroup(ReadOnlySpan<byte> input)
    {
        NoAllocation(input, static i =>
        {
            _ = ProcCgroupParser.TryFindV1(i, "memory"u8, out _);
            _ = ProcCgroupParser.TryFindUnified(i, out _);
        }, "ProcCgroupParser");
        bool v1 = ProcCgroupParser.TryFindV1(input, "memory"u8, out ReadOnlySpan<byte> v1Path);
        bool unified = ProcCgroupParser.TryFindUnified(input, out ReadOnlySpan<byte> unifiedPath);
        Check(!v1 || v1Path.IndexOf((byte)'\n') < 0, "a v1 cgroup path spans lines");
        Check(!unified || unifiedPath.IndexOf((byte)'\n') < 0, "the cgroup2 path spans lines");
    }

    public static void Cmdline(ReadOnlySpan<byte> input)
    {
        NoAllocation(input, static i =>
        {
            _ = CmdlineParser.CountArguments(i);
            _ = CmdlineParser.FirstArgument(i);
        }, "CmdlineParser.CountArguments/FirstArgument");
        int count = CmdlineParser.CountArguments(input);
        ReadOnlySpan<byte> first = CmdlineParser.FirstArgument(input);
        Check(count >= 0 && count <= input.Length, $"{count} arguments in {input.Length} bytes");
        Check(first.IndexOf((byte)0) < 0, "argv[0] holds a NUL");
        // Measured after a first call: the first one on a thread may initialise the encoder.
        string display = CmdlineParser.ToDisplayString(input);
        long allocated = ThreadAllocation.Measure(input, static i => CmdlineParser.ToDisplayString(i));
        // UTF-16 text of at most one char per byte, built three times (decode, NUL replace, line endings) plus the
        // builder ReplaceLineEndings uses: linear in the input, with room to spare.
        Check(allocated <= 4096 + (32L * input.Length), $"ToDisplayString allocated {allocated} bytes for {input.Length}");
        Check(display.IndexOf('\0', StringComparison.Ordinal) < 0 && display.IndexOf('\n', StringComparison.Ordinal) < 0 && display.IndexOf('\r', StringComparison.Ordinal) < 0,
            "the display form of a cmdline holds a NUL or a line break");
    }

    public static void MemInfo(ReadOnlySpan<byte> input)
    {
        NoAllocation(input, static i => MemInfoParser.TryParse(i, out _), "MemInfoParser.TryParse");
        bool ok = MemInfoParser.TryParse(input, out Reapd.Core.Proc.MemInfo info);
        if (ok)
        {
            Check(info.MemTotalKiB >= 0 && info.MemAvailableKiB >= 0 && info.MemFreeKiB >= 0 && info.SwapTotalKiB >= 0
                && info.SwapFreeKiB >= 0 && info.CachedKiB >= 0 && info.ShmemKiB >= 0 && info.ActiveAnonKiB >= 0
                && info.InactiveAnonKiB >= 0, "meminfo accepted a negative size");
        }
    }

    public static void Pressure(ReadOnlySpan<byte> input)
    {
        NoAllocation(input, static i => PressureParser.TryParse(i, out _), "PressureParser.TryParse");
        bool ok = PressureParser.TryParse(input, out Reapd.Core.Proc.Pressure pressure);
        if (ok)
        {
            CheckAverages(pressure.Some);
            if (pressure.HasFull)
            {
                CheckAverages(pressure.Full);
            }
        }
    }

    public static void OomScoreAdj(ReadOnlySpan<byte> input)
    {
        NoAllocation(input, static i => OomScoreAdjParser.TryParse(i, out _), "OomScoreAdjParser.TryParse");
        bool ok = OomScoreAdjParser.TryParse(input, out int adj);
        Check(!ok || adj is >= OomScoreAdjParser.Min and <= OomScoreAdjParser.Max, $"oom_score_adj accepted {adj}");
    }

    public static void CgroupProcs(ReadOnlySpan<byte> input)
    {
        NoAllocation(input, static i =>
        {
            Span<int> scratch = stackalloc int[16];
            int scratchCount = 0;
            _ = CgroupProcsParser.TryAppend(i, scratch, ref scratchCount);
        }, "CgroupProcsParser.TryAppend");
        Span<int> pids = stackalloc int[16];
        int count = 0;
        _ = CgroupProcsParser.TryAppend(input, pids, ref count);
        Check(count is >= 0 and <= 16, $"cgroup.procs count {count} outside the destination");
        for (int i = 0; i < count; i++)
        {
            Check(pids[i] > 0, $"cgroup.procs accepted pid {pids[i]}");
        }
    }

    public static void CgroupValue(ReadOnlySpan<byte> input)
    {
        NoAllocation(input, static i => CgroupValueParser.TryParseBytes(i, out _), "CgroupValueParser.TryParseBytes");
        bool ok = CgroupValueParser.TryParseBytes(input, out long bytes);
        Check(!ok || bytes >= 0, $"a cgroup value parsed as {bytes} bytes");
    }

    public static void FlatKeyed(ReadOnlySpan<byte> input)
    {
        NoAllocation(input, static i =>
        {
            _ = FlatKeyedParser.TryGet(i, "total_inactive_file"u8, out _);
            _ = FlatKeyedParser.TryGet(i, "inactive_file"u8, out _);
            _ = FlatKeyedParser.TryGet(i, "under_oom"u8, out _);
        }, "FlatKeyedParser.TryGet");
    }

    public static void MemoryEventsTarget(ReadOnlySpan<byte> input)
    {
        NoAllocation(input, static i => MemoryEvents.TryParse(i, out _), "MemoryEvents.TryParse");
    }

    private static void CheckAverages(in PressureLine line)
    {
        Check(double.IsFinite(line.Avg10Percent) && double.IsFinite(line.Avg60Percent) && double.IsFinite(line.Avg300Percent),
            "a PSI average parsed as a non-finite number");
        Check(line.Avg10Percent is >= 0 and <= 100 && line.Avg60Percent is >= 0 and <= 100 && line.Avg300Percent is >= 0 and <= 100,
            $"a PSI average outside 0..100 ({line.Avg10Percent}, {line.Avg60Percent}, {line.Avg300Percent})");
    }

    /// <summary>The parser run on the input allocates nothing on this thread (measured as ThreadAllocation explains).</summary>
    private static void NoAllocation(ReadOnlySpan<byte> input, ThreadAllocation.SpanRegion parse, string what)
    {
        long allocated = ThreadAllocation.Measure(input, parse);
        Check(allocated == 0, $"{what} allocated {allocated} bytes");
    }

    private static void Check(bool condition, string finding)
    {
        if (!condition)
        {
            throw new FuzzFindingException(finding);
        }
    }
}
