using System.CommandLine;
using System.Globalization;
using Reapd.CommandLine;
using Reapd.Core.Daemon;
using Reapd.Core.Policy;
using Reapd.Core.Proc;
using Reapd.Core.Selection;
using Reapd.Linux.Proc;
using Reapd.Linux.Sensors;

namespace Reapd;

/// <summary>
/// `reapd ls`: the kill candidates right now, ranked exactly as the daemon ranks them (kernel-style badness, the same
/// exclusions), then every excluded process with its reason.
/// </summary>
internal static class LsCommand
{
    public static DocumentedCommand Create()
    {
        var limit = new Option<int?>("-n")
        {
            HelpName = "N",
            Description = "show at most N candidates (default 20)",
            CustomParser = OptionValues.PositiveInt,
        };
        var cgroup = new Option<string>("--cgroup")
        {
            HelpName = "PATH",
            Description = "only the processes of this cgroup and its children; totalpages = its limit",
            CustomParser = OptionValues.NonEmptyLast,
        };
        var json = new Option<bool>("--json")
        {
            Description = "one JSON object on stdout, every candidate and every excluded process",
            Arity = ArgumentArity.Zero,
        };
        var protect = new Option<string[]>("--protect")
        {
            HelpName = "NAME",
            Description = "treat processes named NAME (comm) as protected; repeatable",
            Arity = ArgumentArity.OneOrMore,
            CustomParser = OptionValues.NonEmptyEach,
        };
        var procRoot = new Option<string>("--proc-root")
        {
            HelpName = "DIR",
            Description = "read processes from DIR instead of /proc (a captured snapshot)",
            CustomParser = OptionValues.NonEmptyLast,
        };
        var config = new Option<string>("--config")
        {
            HelpName = "FILE",
            Description = "rank with the settings of FILE (default /etc/reapd/reapd.toml when it exists): its protected names",
            CustomParser = OptionValues.NonEmptyLast,
        };
        var command = new DocumentedCommand("ls",
            "the ranked kill candidates right now, as the daemon ranks them, and why every other process is excluded")
        {
            Details = """
                Lists the processes reapd would choose from right now, highest badness first (RSS anon+file+shmem, swap
                and page tables in pages, plus oom_score_adj x totalpages/1000, as the kernel's oom_badness), then the
                processes it never chooses and why: PID 1, kernel threads, reapd itself, zombies, oom_score_adj -1000,
                protected names, protect and ignore rules. The RULES column names the rules that touched a process; below
                such a row, how each moved its badness from the kernel's figure (docs/rules.md). The built-in desktop
                rules apply, as in the daemon.
                """,
        };
        command.Options.Add(limit);
        command.Options.Add(cgroup);
        command.Options.Add(json);
        command.Options.Add(protect);
        command.Options.Add(procRoot);
        command.Options.Add(config);
        command.SetAction(result =>
        {
            TextWriter stderr = result.InvocationConfiguration.Error;
            Config.ConfigLoad load = Config.ConfigFile.Load(result.GetValue(config));
            if (!load.Ok)
            {
                stderr.WriteLine(string.Join(Environment.NewLine, load.Problems));
                stderr.WriteLine("reapd ls: the configuration has mistakes");
                return ExitCodes.ConfigInvalid;
            }
            string[] names = [.. load.Options!.Config.ProtectedNames, .. result.GetValue(protect) ?? []];
            return Run(result.GetValue(limit) ?? 20, result.GetValue(cgroup), result.GetValue(json), names, load.Options.Config,
                result.GetValue(procRoot) ?? "/proc", result.InvocationConfiguration.Output, stderr);
        });
        return command;
    }

    private static int Run(int limit, string? cgroup, bool json, string[] protect, DaemonConfig settings, string procRoot, TextWriter stdout, TextWriter stderr)
    {
        if (!Directory.Exists(procRoot))
        {
            stderr.WriteLine($"reapd ls: --proc-root '{procRoot}' is not a directory");
            return ExitCodes.NotFound;
        }

        var names = new ProtectedNames(protect);
        // The daemon's rules for the same settings: the file's rules, then the built-in desktop rules unless it turns them off.
        DaemonConfig config = settings with { ProtectedNames = protect };
        RuleSet rules = RuleSet.Compile(RuleSet.RulesOf(config));
        var scanner = new ProcessScanner(procRoot);
        RankingScope scope;
        string scopeText;
        ReadOnlySpan<Candidate> ranked;
        ScanOutcome scanned;
        if (cgroup is null)
        {
            ProcReadOutcome opened = MemInfoReader.TryOpen(procRoot, out MemInfoReader? reader);
            if (opened == ProcReadOutcome.OutOfFileDescriptors)
            {
                stderr.WriteLine(OutOfFileDescriptors(0));
                return ExitCodes.Failed;
            }
            using MemInfoReader? meminfo = reader;
            if (meminfo is null || meminfo.TryRead(out MemInfo info) != ProcReadOutcome.Ok)
            {
                stderr.WriteLine($"reapd ls: cannot read {Path.Combine(procRoot, "meminfo")}");
                return ExitCodes.Failed;
            }
            scope = RankingScopes.For(null, default, info, Environment.ProcessId, names).WithRules(rules);
            scopeText = $"system: totalpages {scope.TotalPages} = RAM {Mib(info.MemTotalKiB)} MiB + swap {Mib(info.SwapTotalKiB)} MiB ({scope.PageSizeKiB} KiB pages)";
            scanned = scanner.ScanAll(scope, out ranked);
        }
        else
        {
            CgroupTarget? target = CgroupLocator.Resolve(cgroup, out string? problem);
            if (target is null)
            {
                stderr.WriteLine("reapd ls: " + problem);
                return ExitCodes.NotFound;
            }
            if (!TryReadScopeSample(target, out MemorySample sample))
            {
                stderr.WriteLine($"reapd ls: cannot read the memory files of {target.Directory}");
                return ExitCodes.Failed;
            }
            scope = RankingScopes.For(target, sample, null, Environment.ProcessId, names).WithRules(rules);
            scopeText = $"cgroup {target.Directory}: totalpages {scope.TotalPages} = limit {sample.TotalBytes / (1024 * 1024)} MiB ({scope.PageSizeKiB} KiB pages)";
            var pids = new CgroupPidsReader(target.Directory);
            if (pids.TryRead(out ReadOnlySpan<int> members) != ProcReadOutcome.Ok)
            {
                stderr.WriteLine($"reapd ls: cannot read the processes of {target.Directory}");
                return ExitCodes.Failed;
            }
            scanned = scanner.ScanPids(members, scope, out ranked);
        }
        if (scanned != ScanOutcome.Complete)
        {
            stderr.WriteLine(scanned == ScanOutcome.OutOfFileDescriptors
                ? OutOfFileDescriptors(ranked.Length)
                : $"reapd ls: cannot list the processes of {(cgroup is null ? procRoot : cgroup)}");
            return ExitCodes.Failed;
        }

        if (json)
        {
            LsJson.Write(stdout, ranked, scope, cgroup);
        }
        else
        {
            WriteTable(stdout, ranked, limit, scopeText, scope);
            if (cgroup is null && procRoot == "/proc")
            {
                WriteUnitOrder(stdout, ranked, scanner.Reader);
            }
        }
        return ExitCodes.Ok;
    }

    private static bool TryReadScopeSample(CgroupTarget target, out MemorySample sample)
    {
        sample = default;
        SystemMemorySensor.TryOpen(out SystemMemorySensor? system);
        using (system)
        {
            IMemorySensor? sensor = null;
            if (target.Version == CgroupVersion.V1)
            {
                CgroupV1MemorySensor.TryOpen(target.Directory, system, out CgroupV1MemorySensor? v1);
                sensor = v1;
            }
            else
            {
                CgroupV2MemorySensor.TryOpen(target.Directory, system, out CgroupV2MemorySensor? v2);
                sensor = v2;
            }
            using (sensor)
            {
                return sensor is not null && sensor.TryRead(0, out sample);
            }
        }
    }

    private static void WriteTable(TextWriter stdout, ReadOnlySpan<Candidate> ranked, int limit, string scopeText, in RankingScope scope)
    {
        int candidates = CandidateRanking.CountCandidates(ranked);
        RuleSet rules = scope.Rules;
        stdout.WriteLine(scopeText);
        stdout.WriteLine($"{candidates} candidates" + (candidates > limit ? $", the first {limit} shown (-n)" : "")
            + (rules.IsEmpty ? "" : $"; {rules.Count} rules"));
        stdout.WriteLine($"{"PID",8}  {"NAME",-16} {"RSS MiB",9} {"SWAP MiB",9} {"ADJ",5} {"SCORE",12}  RULES");
        for (int i = 0; i < Math.Min(candidates, limit); i++)
        {
            Candidate c = ranked[i];
            stdout.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{c.Pid,8}  {Clip(c.Name.ToDisplayString()),-16} {c.RssKiB / 1024.0,9:F1} {c.SwapKiB / 1024.0,9:F1} {c.OomScoreAdj,5} {c.BadnessPages,12}  {(c.Rules.IsEmpty ? "-" : rules.NamesOf(c.Rules))}"));
            if (!c.Rules.IsEmpty)
            {
                stdout.WriteLine("          " + Explanation(rules, c, scope.TotalPages));
            }
        }
        stdout.WriteLine();
        stdout.WriteLine($"excluded ({ranked.Length - candidates}):");
        int kernelThreads = 0;
        foreach (Candidate c in ranked[candidates..])
        {
            if (c.Exclusion == ExclusionReason.KernelThread)
            {
                kernelThreads++;
                continue;
            }
            stdout.WriteLine($"{c.Pid,8}  {Clip(c.Name.ToDisplayString()),-16} {c.Exclusion.Describe()}"
                + (c.Rules.IsEmpty ? "" : $" (rules: {rules.NamesOf(c.Rules)})"));
        }
        if (kernelThreads > 0)
        {
            stdout.WriteLine($"{kernelThreads,8}  kernel threads   {ExclusionReason.KernelThread.Describe()} (--json lists each)");
        }
    }

    /// <summary>"score 5000 (kernel) -> x2 = 10000 (rule a) -> +300 adj = 30000 (rule b)": why a candidate ranks where it does.</summary>
    internal static string Explanation(RuleSet rules, in Candidate c, long totalPages)
    {
        var text = new System.Text.StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"score {c.BaseBadnessPages} (kernel)");
        foreach (RuleStep step in rules.Explain(c, totalPages))
        {
            text.Append(CultureInfo.InvariantCulture, $" -> {step.Effect} = {step.AfterPages} ({step.Rule.Name}, {step.Rule.Where})");
        }
        if (c.Rules.Total > c.Rules.Count)
        {
            text.Append(CultureInfo.InvariantCulture, $" -> {c.Rules.Total - c.Rules.Count} more rules = {c.BadnessPages}");
        }
        return text.ToString();
    }

    /// <summary>
    /// The cgroup-first order the daemon would use on this machine (docs/cgroups.md), as a section after the process
    /// ranking, which stays in badness order: the units, first to give up a process first, with the figures that
    /// ordered them. Said and skipped where that choice is off (cgroup v1, PID 1 not systemd).
    /// </summary>
    private static void WriteUnitOrder(TextWriter stdout, ReadOnlySpan<Candidate> ranked, ProcessReader reader)
    {
        stdout.WriteLine();
        string? v2Mount;
        try
        {
            v2Mount = CgroupLocator.UnifiedMount();
        }
        catch (IOException e)
        {
            // EMFILE under a low open-files limit: the process ranking above stands; this section is an extra.
            stdout.WriteLine($"cgroup-first order: not shown ({e.Message})");
            return;
        }
        if (!Linux.Cgroups.ChoiceModes.CgroupFirst(Core.Policy.ChoiceMode.Auto, v2Mount))
        {
            stdout.WriteLine("cgroup-first order: off here (it needs cgroup v2 with the memory controller and systemd as PID 1)");
            return;
        }
        long capacityBytes = MemInfoReader.TryOpen("/proc", out MemInfoReader? meminfo) == ProcReadOutcome.Ok && meminfo is not null
            && meminfo.TryRead(out MemInfo info) == ProcReadOutcome.Ok ? info.MemTotalKiB * 1024 : 0;
        meminfo?.Dispose();
        var chooser = new Linux.Cgroups.CgroupFirstChooser(v2Mount!, Linux.Cgroups.ChoiceModes.Kubernetes(Core.Policy.ChoiceMode.Auto, v2Mount), reader, capacityBytes);
        Candidate[] copy = ranked.ToArray();
        int candidates = chooser.Order(copy, Core.Cgroups.CgroupChoiceRule.UsageOverProtection);
        stdout.WriteLine($"cgroup-first order ({chooser.Groups.Count} units, by usage over memory.min/low{(chooser.Kubernetes ? "; pods by QoS class first" : "")}; {candidates} candidates):");
        stdout.WriteLine($"{"#",4}  {"USAGE MiB",9} {"PROT MiB",9} {"OVER MiB",9} {"PSI10",6}  UNIT");
        for (int i = 0; i < chooser.Groups.Count; i++)
        {
            Core.Cgroups.UnitGroup g = chooser.Groups[i];
            string notes = (g.Preference == Core.Cgroups.OomdPreference.Avoid ? "  [oomd_avoid]" : "")
                + (g.Pod is Core.Cgroups.KubePodPath pod ? $"  [{pod.QosClass}{(g.RequestBytes is long r ? $", request {r / 1048576} MiB from {g.RequestSource}" : "")}]" : "");
            stdout.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{i + 1,4}  {g.UsageBytes / 1048576.0,9:F1} {g.ProtectionBytes / 1048576.0,9:F1} {g.OverProtectionBytes / 1048576.0,9:F1} {g.PressureSomeAvg10,6:F2}  {g.Path}{notes}"));
        }
    }

    private static string OutOfFileDescriptors(int processesRead) =>
        $"reapd ls: out of file descriptors (EMFILE/ENFILE) after reading {processesRead} processes: no ranking shown (raise the open-files limit)";

    private static string Clip(string name) => name.Length <= 16 ? name : name[..15] + "~";

    private static string Mib(long kib) => (kib / 1024).ToString(CultureInfo.InvariantCulture);
}
