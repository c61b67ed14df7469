using System.Text;
using Reapd.Core.Daemon;
using Reapd.Core.Decision;
using Reapd.Core.Policy;

namespace Reapd.Core.Replay;

/// <summary>One decision of either side of a <see cref="WhatIf"/>, with the time of the input it answered.</summary>
public readonly record struct TimedCommand(long TimeMs, Command Command);

/// <summary>A point where the two configurations decided differently: what the recording did and what the other one does.</summary>
public sealed record WhatIfDifference(long TimeMs, IReadOnlyList<Command> Recorded, IReadOnlyList<Command> Other);

/// <summary>What <see cref="WhatIf.Run"/> found: every difference in time order, each side's signals, and what the comparison could not know.</summary>
public sealed record WhatIfOutcome(
    IReadOnlyList<WhatIfDifference> Differences,
    IReadOnlyList<TimedCommand> RecordedSignals,
    IReadOnlyList<TimedCommand> OtherSignals,
    IReadOnlyList<string> Notes,
    int Samples,
    int ReloadsReplaced);

/// <summary>
/// `reapd replay FILE --config OTHER`: the recording's memory readings fed to a core with other settings, which
/// decides on its own all the way through — unlike <see cref="Replayer"/>, which must stop where the decisions part,
/// this answers the core's questions from a model built out of the recording, and says so:
/// <list type="bullet">
/// <item>A scan is answered with the ranking of the recorded scan nearest before it (the first one when the other core
///   scans earlier than the recording did), without the processes the other core already saw exit and without those
///   the other configuration's protect and ignore rules and protected names exclude, as far as the recorded names allow
///   (the recording holds each candidate's comm; a rule on cmdline, exe, cgroup or user cannot be evaluated and is
///   reported). The recorded order stays: prefer and avoid rules are not re-ranked.</item>
/// <item>A signal is delivered; a SIGKILLed victim's memory is released at once (process_mrelease answers released)
///   and its pidfd reports the exit at the next reading. A SIGTERMed victim exits after the delay the recording shows
///   for the same process after its own SIGTERM, and otherwise ignores the SIGTERM (the grace runs out).</item>
/// <item>The readings' available memory is corrected by what the two sides' kills freed: plus what each victim of the
///   other core held once it is gone and the recording's is not, minus what each victim of the recording held once it
///   is gone there (reaped or exited) and not here. Stall (PSI) and swap readings are fed as recorded.</item>
/// </list>
/// The two sides' decisions (triggers, choices, signals, no-candidate and retarget reports), each stamped with the
/// reading that led to it, are then aligned as sequences (longest common subsequence of time and decision), and what
/// only one side decided then is a difference, grouped by that time. Reloads recorded in the file are not followed: the given configuration replaces them.
/// </summary>
public static class WhatIf
{
    // Beyond this many decisions per side the alignment is greedy (the LCS table would be large); an emergency has tens.
    private const int MaxAligned = 4000;

    public static WhatIfOutcome Run(Recording recording, DaemonConfig other)
    {
        ArgumentNullException.ThrowIfNull(recording);
        ArgumentNullException.ThrowIfNull(other);
        var notes = new List<string>();
        // A recording made before this key was written was made with the default (on).
        bool recordedDesktop = !(recording.Header.TryGetValue("config.desktop_defaults", out string? desktop) && desktop == "false");
        Func<string, bool> excludes = Exclusion(other, recordedDesktop, notes);
        IReadOnlyList<RecordedEvent> events = recording.Events;

        // What the recording shows of each process: what it held when chosen, when it exited, and how long after a
        // SIGTERM alone (no SIGKILL before the exit) it took to exit.
        var heldBytes = new Dictionary<VictimId, long>();
        var recordedGoneMs = new Dictionary<VictimId, long>();
        var termExitDelayMs = new Dictionary<VictimId, long>();
        var recorded = new List<TimedCommand>();
        RecordedEvent? firstScan = null;
        string[] firstNames = [];
        bool anyNames = false;
        VictimId current = default;
        long termSentMs = -1;
        bool killSent = false;
        long inputTimeMs = 0;
        int reloads = 0;
        foreach (RecordedEvent e in events)
        {
            // Decisions are stamped with the reading (or the adoption) that led to them, not with the answer that
            // completed them: the other core's questions are answered at once, at the time of its reading.
            if (e.Kind is RecordKind.Sample or RecordKind.Adopted)
            {
                inputTimeMs = e.TimeMs;
            }
            switch (e.Kind)
            {
                case RecordKind.Scanned:
                    firstScan ??= e;
                    foreach (RankedVictim r in e.Ranked)
                    {
                        heldBytes.TryAdd(r.Id, r.HeldBytes);
                    }
                    break;
                case RecordKind.ScanNames:
                    anyNames = true;
                    if (firstScan is null)
                    {
                        firstNames = e.Names;
                    }
                    break;
                case RecordKind.Reconfigured:
                    reloads++;
                    break;
                case RecordKind.Adopted:
                    current = e.Victim;
                    heldBytes.TryAdd(e.Victim, e.HeldBytes);
                    (termSentMs, killSent) = e.Phase == VictimPhase.Terminating ? (e.SignalledMs, false) : (-1, true);
                    break;
                case RecordKind.ReapAnswered when e.Reap == ReapObservation.Released && current.Pid != 0:
                    // process_mrelease gave its memory back: the readings show it from here, before the exit.
                    recordedGoneMs.TryAdd(current, e.TimeMs);
                    break;
                case RecordKind.Exited when e.VictimExited && current.Pid != 0:
                    recordedGoneMs.TryAdd(current, e.TimeMs);
                    if (!killSent && termSentMs >= 0)
                    {
                        termExitDelayMs.TryAdd(current, e.TimeMs - termSentMs);
                    }
                    break;
                case RecordKind.Command:
                    Command c = e.Command;
                    if (c.Kind == CommandKind.Signal)
                    {
                        if (c.Victim != current)
                        {
                            (current, termSentMs, killSent) = (c.Victim, -1, false);
                        }
                        if (c.Signal == KillSignal.SigTerm)
                        {
                            termSentMs = inputTimeMs;
                        }
                        else
                        {
                            killSent = true;
                        }
                    }
                    else if (c.Kind == CommandKind.Report && c.Report.Kind == ReportKind.Choice && c.Report.HeldBytes > 0)
                    {
                        heldBytes[c.Report.Victim] = c.Report.HeldBytes;
                    }
                    if (IsDecision(c))
                    {
                        recorded.Add(new TimedCommand(inputTimeMs, c));
                    }
                    break;
            }
        }
        if (firstScan is not null && !anyNames && (other.ProtectedNames.Count > 0 || other.Rules.Count > 0))
        {
            notes.Add("this recording holds no process names (made before reapd recorded them): no protect rule or protected name can be applied to its candidates");
        }
        if (recordedGoneMs.Count > 0 || recorded.Exists(c => c.Command.Kind == CommandKind.Signal))
        {
            notes.Add("available memory after either side's kills is the recorded reading corrected by what the victims held; stall and swap readings are as recorded");
        }

        var core = new DecisionCore(other);
        var mine = new List<TimedCommand>();
        var otherGoneMs = new Dictionary<VictimId, long>();
        RankedVictim[] lastRanked = firstScan?.Ranked ?? [];
        string[] lastNames = firstNames;
        string[] pendingNames = [];
        var pendingExits = new List<(long AtMs, VictimId Victim)>();
        bool noScanNoted = false;
        int samples = 0;
        foreach (RecordedEvent e in events)
        {
            switch (e.Kind)
            {
                case RecordKind.ScanNames:
                    pendingNames = e.Names;
                    break;
                case RecordKind.Scanned:
                    lastRanked = e.Ranked;
                    lastNames = pendingNames;
                    pendingNames = [];
                    break;
                case RecordKind.Adopted:
                    core.AdoptInFlight(e.Victim, e.Phase, e.SignalledMs, e.HeldBytes, e.AvailableBytes, e.TimeMs);
                    Answer(e.TimeMs);
                    break;
                case RecordKind.Sample:
                    samples++;
                    long now = e.TimeMs;
                    for (int i = pendingExits.Count - 1; i >= 0; i--)
                    {
                        if (pendingExits[i].AtMs <= now)
                        {
                            VictimId gone = pendingExits[i].Victim;
                            pendingExits.RemoveAt(i);
                            otherGoneMs.TryAdd(gone, now);
                            if (core.State.InFlight && core.State.Victim == gone)
                            {
                                core.OnExited(true, 0, now);
                                Answer(now);
                            }
                        }
                    }
                    core.OnSample(Corrected(e.Sample, now));
                    Answer(now);
                    break;
            }
        }

        return new WhatIfOutcome(Align(recorded, mine), [.. recorded.Where(c => c.Command.Kind == CommandKind.Signal)],
            [.. mine.Where(c => c.Command.Kind == CommandKind.Signal)], notes, samples, reloads);

        MemorySample Corrected(in MemorySample sample, long now)
        {
            long credit = 0;
            foreach ((VictimId victim, long at) in otherGoneMs)
            {
                if (at <= now && !(recordedGoneMs.TryGetValue(victim, out long there) && there <= now))
                {
                    credit += heldBytes.GetValueOrDefault(victim);
                }
            }
            foreach ((VictimId victim, long at) in recordedGoneMs)
            {
                if (at <= now && !(otherGoneMs.TryGetValue(victim, out long here) && here <= now))
                {
                    credit -= heldBytes.GetValueOrDefault(victim);
                }
            }
            return credit == 0 ? sample : sample with { AvailableBytes = Math.Clamp(sample.AvailableBytes + credit, 0, sample.TotalBytes) };
        }

        // Answers the commands the core emitted, as the model says, until it asks nothing more.
        void Answer(long now)
        {
            while (core.Commands.TryDequeue(out Command command))
            {
                if (IsDecision(command))
                {
                    mine.Add(new TimedCommand(now, command));
                }
                switch (command.Kind)
                {
                    case CommandKind.Scan:
                        if (firstScan is null && !noScanNoted)
                        {
                            noScanNoted = true;
                            notes.Add("the other configuration asks for a scan but the recording holds none: it is answered with no candidates");
                        }
                        var ranked = new List<RankedVictim>(lastRanked.Length);
                        for (int i = 0; i < lastRanked.Length; i++)
                        {
                            RankedVictim r = lastRanked[i];
                            bool named = lastNames.Length == lastRanked.Length;
                            if (otherGoneMs.ContainsKey(r.Id) || (named && excludes(lastNames[i])))
                            {
                                continue;
                            }
                            ranked.Add(r);
                        }
                        core.OnScanned(ranked.ToArray(), now);
                        break;
                    case CommandKind.Signal:
                        core.OnSignalled(other.DryRun ? SignalResult.DryRun : SignalResult.Sent, 0, now);
                        if (other.DryRun)
                        {
                            break;
                        }
                        if (command.Signal == KillSignal.SigKill)
                        {
                            // Reaped at once; the pidfd reports the exit with the next reading.
                            otherGoneMs.TryAdd(command.Victim, now);
                            pendingExits.Add((now, command.Victim));
                        }
                        else if (termExitDelayMs.TryGetValue(command.Victim, out long delay))
                        {
                            pendingExits.Add((now + delay, command.Victim));
                        }
                        break;
                    case CommandKind.Reap:
                        core.OnReapAnswered(ReapObservation.Released, now);
                        break;
                    case CommandKind.KillSharers:
                        otherGoneMs.TryAdd(command.Victim, now);
                        break;
                }
            }
        }
    }

    /// <summary>What a replay compares: the decisions, not the bookkeeping (settle reports carry measured times).</summary>
    public static bool IsDecision(in Command command) =>
        command.Kind is CommandKind.Signal or CommandKind.KillSharers
        || (command.Kind == CommandKind.Report && command.Report.Kind is ReportKind.Trigger or ReportKind.Choice or ReportKind.NoCandidate or ReportKind.Retarget);

    /// <summary>
    /// Whether the other configuration keeps a process of this comm from being chosen: its protected names and the
    /// protect and ignore rules that match on comm alone. Rules that need what the recording does not hold are named in
    /// <paramref name="notes"/> and not applied.
    /// </summary>
    private static Func<string, bool> Exclusion(DaemonConfig other, bool recordedDesktop, List<string> notes)
    {
        // The built-in desktop rules already shaped the recorded candidates when the recording ran with them.
        IReadOnlyList<PolicyRule> rules = other.DesktopDefaults && !recordedDesktop ? RuleSet.RulesOf(other) : other.Rules;
        if (!other.DesktopDefaults && recordedDesktop)
        {
            notes.Add("the built-in desktop rules are off here but were on in the recording: the processes they protected are not in it");
        }
        RuleSet compiled = RuleSet.Compile(rules);
        var byComm = new List<int>();
        for (int i = 0; i < rules.Count; i++)
        {
            PolicyRule rule = rules[i];
            if (rule.Action is not (RuleAction.Protect or RuleAction.Ignore))
            {
                continue;
            }
            RuleMatch m = rule.Match;
            string[] missing = [.. new[] { ("cmdline", m.Cmdline ?? m.CmdlineNot), ("exe", m.Exe), ("cgroup", m.Cgroup), ("user", m.User) }
                .Where(c => c.Item2 is not null).Select(c => c.Item1)];
            if (missing.Length > 0)
            {
                notes.Add($"rule '{rule.Name}' ({rule.Action.ToString().ToLowerInvariant()}) matches on {string.Join(" and ", missing)}, which the recording does not hold: it is not applied");
                continue;
            }
            byComm.Add(i);
        }
        if (rules.Any(r => r.Action is RuleAction.Prefer or RuleAction.Avoid))
        {
            notes.Add("prefer and avoid rules are not applied: the candidates keep the order the recorded configuration ranked them in");
        }
        notes.Add("processes the recorded configuration excluded are not in the recording: the other configuration cannot choose them here");
        var names = new HashSet<string>(other.ProtectedNames, StringComparer.Ordinal);
        return comm =>
        {
            if (names.Contains(comm))
            {
                return true;
            }
            byte[] utf8 = Encoding.UTF8.GetBytes(comm);
            var facts = new ProcessFacts { Comm = utf8 };
            foreach (int i in byComm)
            {
                if (compiled.Matches(i, facts))
                {
                    return true;
                }
            }
            return false;
        };
    }

    /// <summary>The decisions only one side made, grouped by the time of their input (a longest common subsequence of the two).</summary>
    private static List<WhatIfDifference> Align(List<TimedCommand> recorded, List<TimedCommand> other)
    {
        // The same decision at another time is a difference too: the time is part of what is compared.
        string[] a = [.. recorded.Select(c => $"{c.TimeMs} {ReplayText.Describe(c.Command)}")];
        string[] b = [.. other.Select(c => $"{c.TimeMs} {ReplayText.Describe(c.Command)}")];
        bool[] matchedA = new bool[a.Length];
        bool[] matchedB = new bool[b.Length];
        if (a.Length <= MaxAligned && b.Length <= MaxAligned)
        {
            int[,] lcs = new int[a.Length + 1, b.Length + 1];
            for (int i = a.Length - 1; i >= 0; i--)
            {
                for (int j = b.Length - 1; j >= 0; j--)
                {
                    lcs[i, j] = a[i] == b[j] ? lcs[i + 1, j + 1] + 1 : Math.Max(lcs[i + 1, j], lcs[i, j + 1]);
                }
            }
            for (int i = 0, j = 0; i < a.Length && j < b.Length;)
            {
                if (a[i] == b[j])
                {
                    matchedA[i++] = matchedB[j++] = true;
                }
                else if (lcs[i + 1, j] >= lcs[i, j + 1])
                {
                    i++;
                }
                else
                {
                    j++;
                }
            }
        }
        else
        {
            for (int i = 0, j = 0; i < a.Length && j < b.Length; i++, j++)
            {
                if (a[i] != b[j])
                {
                    break;
                }
                matchedA[i] = matchedB[j] = true;
            }
        }
        var times = new SortedDictionary<long, (List<Command> Recorded, List<Command> Other)>();
        for (int i = 0; i < a.Length; i++)
        {
            if (!matchedA[i])
            {
                At(recorded[i].TimeMs).Recorded.Add(recorded[i].Command);
            }
        }
        for (int j = 0; j < b.Length; j++)
        {
            if (!matchedB[j])
            {
                At(other[j].TimeMs).Other.Add(other[j].Command);
            }
        }
        return [.. times.Select(t => new WhatIfDifference(t.Key, t.Value.Recorded, t.Value.Other))];

        (List<Command> Recorded, List<Command> Other) At(long timeMs)
        {
            if (!times.TryGetValue(timeMs, out (List<Command>, List<Command>) lists))
            {
                lists = ([], []);
                times[timeMs] = lists;
            }
            return lists;
        }
    }
}
