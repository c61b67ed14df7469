using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Reapd.Core.Daemon;
using Reapd.Core.Selection;

namespace Reapd.Core.Policy;

/// <summary>
/// The rules of one configuration load, compiled once: comm as UTF-8 bytes cut to 15 bytes, each cmdline pattern and
/// each glob as a <see cref="RegexOptions.NonBacktracking"/> regular expression — except a cmdline pattern that
/// is plain text (`--type=renderer`, `(^| )--user( |$)`: the desktop rules' shape), which is a <see cref="PlainPattern"/> —
/// the uid as a number. Evaluating a
/// process (<see cref="Apply"/>) allocates nothing once the patterns have seen the usual command lines (the engine
/// builds its automaton states on first use and keeps them).
/// Why NonBacktracking and not a match timeout: its time is linear in the command line whatever the pattern, so a
/// pathological pattern such as `(a+)+$` cannot stall a scan, and there is no timeout exception to allocate and
/// catch per process in the middle of choosing a victim. The price is that backreferences and lookarounds are refused
/// when the configuration is loaded (cmdline_not covers the usual need for a negative lookahead).
/// Semantics (docs/rules.md): rules apply in order; every matching prefer or avoid changes the badness; the first
/// protect ends the evaluation (protected); an ignore makes the process ignored and only a later protect can still
/// change that (to protected), so a protect always wins wherever it is written.
/// </summary>
public sealed class RuleSet
{
    /// <summary>A prefer rule with neither adjust nor scale adds this many oom_score_adj units (30 % of the scope).</summary>
    public const int DefaultPreferAdjust = 300;

    /// <summary>An avoid rule with neither adjust nor scale subtracts this many.</summary>
    public const int DefaultAvoidAdjust = -300;

    /// <summary>Far beyond any real page count, far from overflow: where scaling saturates.</summary>
    public const long MaxBadnessPages = 1L << 52;

    private const RegexOptions PatternOptions = RegexOptions.NonBacktracking | RegexOptions.CultureInvariant;

    public static RuleSet Empty { get; } = new([]);

    private readonly Compiled[] _rules;

    private RuleSet(Compiled[] rules)
    {
        _rules = rules;
        foreach (Compiled rule in rules)
        {
            Needs |= rule.Needs;
        }
    }

    public int Count => _rules.Length;

    public bool IsEmpty => _rules.Length == 0;

    /// <summary>What the scanner must read besides stat and status.</summary>
    public RuleInputs Needs { get; }

    public PolicyRule this[int index] => _rules[index].Rule;

    /// <summary>The rule's name as UTF-8, for event lines written without allocating.</summary>
    public ReadOnlySpan<byte> NameUtf8(int index) => _rules[index].NameUtf8;

    /// <summary>
    /// The rules a daemon with <paramref name="config"/> applies: the configuration's rules, then, when
    /// <see cref="DaemonConfig.DesktopDefaults"/> is on, the built-in desktop rules.
    /// </summary>
    public static IReadOnlyList<PolicyRule> RulesOf(DaemonConfig config)
    {
        if (!config.DesktopDefaults)
        {
            return config.Rules;
        }
        var all = new List<PolicyRule>(config.Rules.Count + DesktopRules.All.Count);
        all.AddRange(config.Rules);
        all.AddRange(DesktopRules.All);
        return all;
    }

    /// <summary>Compiles <paramref name="rules"/>; on bad input, null and one line naming the rule, where it was written and what is wrong.</summary>
    public static RuleSet? TryCompile(IReadOnlyList<PolicyRule> rules, out string? problem)
    {
        problem = null;
        if (rules.Count > ushort.MaxValue)
        {
            problem = $"{rules.Count} rules: at most {ushort.MaxValue} are supported";
            return null;
        }
        var compiled = new Compiled[rules.Count];
        // Rules that share a pattern (the desktop rules' cmdline_not) share one compiled expression.
        var patterns = new Dictionary<string, TextPattern>(StringComparer.Ordinal);
        for (int i = 0; i < rules.Count; i++)
        {
            Compiled? rule = Compile(rules[i], patterns, out string? why);
            if (rule is null)
            {
                PolicyRule r = rules[i];
                problem = $"{r.Where}: rule \"{r.Name}\": {why}";
                return null;
            }
            compiled[i] = rule;
        }
        return new RuleSet(compiled);
    }

    /// <summary>Compiles rules known to be valid (the built-in ones, tests); a problem is a broken invariant.</summary>
    public static RuleSet Compile(IReadOnlyList<PolicyRule> rules) =>
        TryCompile(rules, out string? problem) ?? throw new ArgumentException(problem, nameof(rules));

    /// <summary>Does rule <paramref name="index"/> match this process? Every criterion given must match (an unreadable input: no).</summary>
    public bool Matches(int index, scoped in ProcessFacts facts) => _rules[index].Matches(facts);

    /// <summary>Rule <paramref name="index"/> on this process: matches, does not, or undecided for an unreadable input.</summary>
    public RuleVerdict Evaluate(int index, scoped in ProcessFacts facts) => _rules[index].Evaluate(facts);

    /// <summary>
    /// The badness after the rules, in pages, from the kernel's <paramref name="baseBadnessPages"/>; the exclusion
    /// they make (None, Protected, Ignored, ProtectUnevaluated, IgnoreUnevaluated); every rule that touched the process
    /// added to <paramref name="hits"/>. A rule whose inputs could not all be read (<see cref="ProcessFacts"/>:
    /// HasCmdline and the like false) while everything it could check matched is undecided: a prefer or avoid rule then
    /// does not apply; a protect rule fails closed — without a later protect that does match, the process is
    /// <see cref="ExclusionReason.ProtectUnevaluated"/>; an ignore rule fails closed too — without a matching ignore or
    /// protect, the process is <see cref="ExclusionReason.IgnoreUnevaluated"/>: never chosen, but a wider kill scope
    /// may still take it, as it may an ignored one. An OOM killer that let an unreadable command line unprotect a
    /// process would kill the very thing the rule was written for. Allocation-free.
    /// </summary>
    public long Apply(scoped in ProcessFacts facts, long baseBadnessPages, long totalPages, ref RuleHits hits, out ExclusionReason exclusion) =>
        Apply(facts, baseBadnessPages, totalPages, ref hits, out exclusion, out _);

    /// <summary>
    /// As above; <paramref name="undecided"/>: some rule left undecided by an unreadable input could still change the
    /// outcome (reading it later may change the badness or the exclusion). Not when a protect matched (nothing changes
    /// that), nor, once a process is ignored, for an undecided prefer, avoid or ignore (only a protect still could).
    /// </summary>
    public long Apply(scoped in ProcessFacts facts, long baseBadnessPages, long totalPages, ref RuleHits hits, out ExclusionReason exclusion,
        out bool undecided)
    {
        exclusion = ExclusionReason.None;
        undecided = false;
        bool protectUndecided = false;
        bool ignoreUndecided = false;
        bool badnessUndecided = false;
        long badness = baseBadnessPages;
        for (int i = 0; i < _rules.Length; i++)
        {
            Compiled rule = _rules[i];
            bool decisive = rule.Rule.Action is RuleAction.Protect or RuleAction.Ignore;
            // Once ignored, only a protect can still change the outcome; prefer and avoid no longer matter.
            if (exclusion == ExclusionReason.Ignored && rule.Rule.Action != RuleAction.Protect)
            {
                continue;
            }
            RuleVerdict verdict = rule.Evaluate(facts);
            if (verdict == RuleVerdict.Undecided)
            {
                switch (rule.Rule.Action)
                {
                    case RuleAction.Protect:
                        protectUndecided = true;
                        break;
                    case RuleAction.Ignore:
                        ignoreUndecided = true;
                        break;
                    default:
                        badnessUndecided = true;
                        break;
                }
                continue;
            }
            if (verdict != RuleVerdict.Matches)
            {
                continue;
            }
            hits.Add(i);
            if (!decisive)
            {
                badness = rule.Effect(badness, totalPages);
                continue;
            }
            if (rule.Rule.Action == RuleAction.Protect)
            {
                // A matching protect decides whatever the undecided rules would say: nothing is left to read.
                exclusion = ExclusionReason.Protected;
                return badness;
            }
            exclusion = ExclusionReason.Ignored;
        }
        if (protectUndecided)
        {
            exclusion = ExclusionReason.ProtectUnevaluated;
            undecided = true;
        }
        else if (exclusion == ExclusionReason.Ignored)
        {
            // Ignored for certain: an undecided prefer, avoid or ignore changes nothing.
            undecided = false;
        }
        else
        {
            if (ignoreUndecided)
            {
                // Fails closed, as a protect does: docs/rules.md says an ignored process is never chosen.
                exclusion = ExclusionReason.IgnoreUnevaluated;
            }
            undecided = ignoreUndecided || badnessUndecided;
        }
        return badness;
    }

    /// <summary>
    /// The effect of one prefer or avoid rule on a badness, in pages: scale first, then adjust (oom_score_adj units of
    /// totalPages / 1000, the kernel's integer division). A negative badness (a negative oom_score_adj) is divided by
    /// the scale instead, so a scale above 1 always ranks earlier and one below 1 always later. Saturates at
    /// ±<see cref="MaxBadnessPages"/>. Protect and ignore leave it unchanged.
    /// </summary>
    public long EffectOf(int index, long badnessPages, long totalPages) => _rules[index].Effect(badnessPages, totalPages);

    /// <summary>How each rule that touched a candidate moved its badness, in order (allocates: for `reapd ls`).</summary>
    public IReadOnlyList<RuleStep> Explain(in Candidate candidate, long totalPages)
    {
        var steps = new List<RuleStep>(candidate.Rules.Count);
        long badness = candidate.BaseBadnessPages;
        for (int i = 0; i < candidate.Rules.Count; i++)
        {
            int index = candidate.Rules[i];
            Compiled rule = _rules[index];
            long after = rule.Effect(badness, totalPages);
            steps.Add(new RuleStep(index, rule.Rule, badness, after, rule.Describe()));
            badness = after;
        }
        return steps;
    }

    /// <summary>The names of the rules that touched a candidate, comma-separated (allocates: for output).</summary>
    public string NamesOf(in RuleHits hits)
    {
        var names = new StringBuilder();
        for (int i = 0; i < hits.Count; i++)
        {
            if (i > 0)
            {
                names.Append(',');
            }
            names.Append(_rules[hits[i]].Rule.Name);
        }
        if (hits.Total > hits.Count)
        {
            names.Append(CultureInfo.InvariantCulture, $",+{hits.Total - hits.Count} more");
        }
        return names.ToString();
    }

    private static Compiled? Compile(PolicyRule rule, Dictionary<string, TextPattern> patterns, out string? problem)
    {
        problem = null;
        RuleMatch match = rule.Match;
        if (match.IsEmpty)
        {
            problem = "no match criterion (comm, cmdline, exe, cgroup or user): it would match every process";
            return null;
        }
        if (!ValidEffect(rule, out problem))
        {
            return null;
        }
        byte[]? comm = null;
        if (match.Comm is not null)
        {
            byte[] utf8 = Encoding.UTF8.GetBytes(match.Comm);
            // The kernel keeps 15 bytes of a process's name: a longer name in a rule is cut the same way.
            comm = utf8.Length > ProtectedNames.CommMaxBytes ? utf8[..ProtectedNames.CommMaxBytes] : utf8;
        }
        TextPattern? cmdline = match.Cmdline is null ? null : Pattern(match.Cmdline, "cmdline", patterns, out problem);
        if (match.Cmdline is not null && cmdline is null)
        {
            return null;
        }
        TextPattern? cmdlineNot = match.CmdlineNot is null ? null : Pattern(match.CmdlineNot, "cmdline_not", patterns, out problem);
        if (match.CmdlineNot is not null && cmdlineNot is null)
        {
            return null;
        }
        TextPattern? exeGlob = null;
        if (match.Exe is not null && PathGlob.IsGlob(match.Exe))
        {
            exeGlob = Glob(match.Exe, "exe", patterns, out problem);
            if (exeGlob is null)
            {
                return null;
            }
        }
        TextPattern? cgroup = null;
        if (match.Cgroup is not null)
        {
            cgroup = Glob(match.Cgroup, "cgroup", patterns, out problem);
            if (cgroup is null)
            {
                return null;
            }
        }
        uint? uid = match.Uid;
        if (match.User is not null && uid is null)
        {
            if (!uint.TryParse(match.User, NumberStyles.None, CultureInfo.InvariantCulture, out uint numeric))
            {
                problem = $"user '{match.User}' was not resolved to a uid";
                return null;
            }
            uid = numeric;
        }
        return new Compiled(rule, Encoding.UTF8.GetBytes(rule.Name), comm, cmdline, cmdlineNot, exeGlob, cgroup, uid);
    }

    private static bool ValidEffect(PolicyRule rule, out string? problem)
    {
        problem = null;
        if (rule.Adjust is int adjust && adjust is < -1000 or > 1000)
        {
            problem = $"adjust {adjust} is outside -1000..1000 (oom_score_adj units)";
        }
        else if (rule.Scale is double scale && !(scale > 0 && double.IsFinite(scale)))
        {
            problem = $"scale {scale.ToString(CultureInfo.InvariantCulture)} must be a finite number above 0";
        }
        else if (rule.Action is RuleAction.Protect or RuleAction.Ignore && (rule.Adjust is not null || rule.Scale is not null))
        {
            problem = $"a {ActionWord(rule.Action)} rule takes no adjust or scale: the process is never chosen anyway";
        }
        else if (rule.Action == RuleAction.Prefer && (rule.Adjust < 0 || rule.Scale < 1))
        {
            problem = "a prefer rule must raise the badness (adjust >= 0, scale >= 1); use avoid to lower it";
        }
        else if (rule.Action == RuleAction.Avoid && (rule.Adjust > 0 || rule.Scale > 1))
        {
            problem = "an avoid rule must lower the badness (adjust <= 0, scale <= 1); use prefer to raise it";
        }
        return problem is null;
    }

    private static TextPattern? Pattern(string pattern, string key, Dictionary<string, TextPattern> patterns, out string? problem)
    {
        problem = null;
        if (patterns.TryGetValue(pattern, out TextPattern? known))
        {
            return known;
        }
        try
        {
            PlainPattern? words = PlainPattern.TryParse(pattern);
            var compiled = new TextPattern(words is null ? new Regex(pattern, PatternOptions) : null, words);
            patterns.Add(pattern, compiled);
            return compiled;
        }
        catch (ArgumentException e)
        {
            problem = $"{key} regular expression '{pattern}': {e.Message}";
        }
        catch (NotSupportedException e)
        {
            // NonBacktracking refuses backreferences, lookarounds, atomic groups and conditionals.
            problem = $"{key} regular expression '{pattern}' uses a construct the linear-time engine cannot run (backreference, lookaround, atomic group or conditional): {e.Message}";
        }
        return null;
    }

    private static TextPattern? Glob(string glob, string key, Dictionary<string, TextPattern> patterns, out string? problem)
    {
        string? pattern = PathGlob.ToRegexPattern(glob, out problem);
        if (pattern is null)
        {
            problem = $"{key}: {problem}";
            return null;
        }
        return Pattern(pattern, key + " glob", patterns, out problem);
    }

    internal static string ActionWord(RuleAction action) => action switch
    {
        RuleAction.Prefer => "prefer",
        RuleAction.Avoid => "avoid",
        RuleAction.Protect => "protect",
        _ => "ignore",
    };

    private sealed class Compiled(PolicyRule rule, byte[] nameUtf8, byte[]? comm, TextPattern? cmdline, TextPattern? cmdlineNot, TextPattern? exeGlob, TextPattern? cgroup, uint? uid)
    {
        private readonly int _adjust = rule.Adjust
            ?? (rule.Scale is null ? rule.Action switch { RuleAction.Prefer => DefaultPreferAdjust, RuleAction.Avoid => DefaultAvoidAdjust, _ => 0 } : 0);

        public PolicyRule Rule { get; } = rule;

        public byte[] NameUtf8 { get; } = nameUtf8;

        public RuleInputs Needs { get; } =
            (cmdline is not null || cmdlineNot is not null ? RuleInputs.Cmdline : RuleInputs.None)
            | (rule.Match.Exe is not null ? RuleInputs.Exe : RuleInputs.None)
            | (cgroup is not null ? RuleInputs.Cgroup : RuleInputs.None)
            | (uid is not null ? RuleInputs.Uid : RuleInputs.None);

        public bool Matches(scoped in ProcessFacts facts) => Evaluate(facts) == RuleVerdict.Matches;

        /// <summary>
        /// Every criterion on what was read decides first (one that fails makes the rule not match, whatever else is
        /// unknown); a criterion on an attribute that could not be read leaves the rule undecided.
        /// </summary>
        public RuleVerdict Evaluate(scoped in ProcessFacts facts)
        {
            bool undecided = false;
            if (comm is not null && !facts.Comm.SequenceEqual(comm))
            {
                return RuleVerdict.NoMatch;
            }
            if (uid is uint expected)
            {
                if (!facts.HasUid)
                {
                    undecided = true;
                }
                else if (facts.Uid != expected)
                {
                    return RuleVerdict.NoMatch;
                }
            }
            if (Rule.Match.Exe is string exe)
            {
                if (!facts.HasExe)
                {
                    undecided = true;
                }
                else if (!(exeGlob is null ? facts.Exe.SequenceEqual(exe) : exeGlob.IsMatch(facts.Exe)))
                {
                    return RuleVerdict.NoMatch;
                }
            }
            if (cgroup is not null)
            {
                if (!facts.HasCgroup)
                {
                    undecided = true;
                }
                else if (!cgroup.IsMatch(facts.Cgroup))
                {
                    return RuleVerdict.NoMatch;
                }
            }
            if (cmdline is not null || cmdlineNot is not null)
            {
                // An unreadable command line proves nothing about what it holds or lacks.
                if (!facts.HasCmdline)
                {
                    undecided = true;
                }
                else if ((cmdline is not null && !cmdline.IsMatch(facts.Cmdline))
                    || (cmdlineNot is not null && cmdlineNot.IsMatch(facts.Cmdline)))
                {
                    return RuleVerdict.NoMatch;
                }
            }
            return undecided ? RuleVerdict.Undecided : RuleVerdict.Matches;
        }

        public long Effect(long badness, long totalPages)
        {
            if (Rule.Action is RuleAction.Protect or RuleAction.Ignore)
            {
                return badness;
            }
            if (Rule.Scale is double scale)
            {
                double scaled = badness >= 0 ? badness * scale : badness / scale;
                badness = (long)Math.Clamp(scaled, -MaxBadnessPages, MaxBadnessPages);
            }
            // The kernel's own scaling of oom_score_adj: adj * (totalpages / 1000), integer division first.
            long adjusted = badness + (_adjust * (totalPages / 1000));
            return Math.Clamp(adjusted, -MaxBadnessPages, MaxBadnessPages);
        }

        public string Describe()
        {
            string action = ActionWord(Rule.Action);
            if (Rule.Action is RuleAction.Protect or RuleAction.Ignore)
            {
                return action;
            }
            var text = new StringBuilder(action);
            if (Rule.Scale is double scale)
            {
                text.Append(CultureInfo.InvariantCulture, $" x{scale}");
            }
            if (_adjust != 0 || Rule.Scale is null)
            {
                text.Append(CultureInfo.InvariantCulture, $" {_adjust:+0;-0;0} adj");
            }
            return text.ToString();
        }
    }

    /// <summary>A compiled pattern: plain words where <see cref="PlainPattern"/> can say it, else the regular expression.</summary>
    private sealed class TextPattern(Regex? regex, PlainPattern? words)
    {
        public bool IsMatch(ReadOnlySpan<char> text) => words?.IsMatch(text) ?? regex!.IsMatch(text);
    }
}
