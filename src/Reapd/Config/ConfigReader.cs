using System.Globalization;
using System.Text.RegularExpressions;
using Reapd.Announce;
using Reapd.CommandLine;
using Reapd.Core.Daemon;
using Reapd.Core.Policy;
using Reapd.Daemon;
using Tomlyn.Parsing;
using Tomlyn.Syntax;

namespace Reapd.Config;

/// <summary>
/// Reads reapd.toml (docs/config.md) from Tomlyn's syntax tree — no reflection, no serializer — into
/// <see cref="RunOptions"/>: the built-in defaults with the file's keys laid over them. Every problem is collected
/// (TOML syntax errors and duplicate keys from Tomlyn, then unknown tables and keys, wrong types, values out of range,
/// rules that match nothing or do not compile, a kill level above its term level), each with FILE:LINE:COLUMN; a file
/// with any problem gives no options at all. It never throws on any text (a property test feeds it random bytes).
/// </summary>
internal sealed class ConfigReader
{
    private readonly string _file;
    private readonly Func<string, uint?> _resolveUser;
    private readonly List<ConfigProblem> _problems = [];
    private readonly List<PolicyRule> _rules = [];
    private readonly Dictionary<string, SourcePosition> _valuePositions = new(StringComparer.Ordinal);
    private DaemonConfig _config = new();
    private RunOptions _options = RunOptions.Defaults;
    private AnnounceOptions _announce = AnnounceOptions.Default;
    private int _ruleCount;

    private ConfigReader(string file, Func<string, uint?> resolveUser)
    {
        _file = file;
        _resolveUser = resolveUser;
    }

    /// <summary>Reads the configuration in <paramref name="text"/>; <paramref name="file"/> names it in the messages.</summary>
    /// <param name="resolveUser">Turns a rule's user name into a uid (null: no such user); /etc/passwd by default.</param>
    public static ConfigLoad Read(string text, string file, Func<string, uint?>? resolveUser = null)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(file);
        var reader = new ConfigReader(file, resolveUser ?? PasswdUsers.Resolve);
        RunOptions? options = reader.ReadAll(text);
        return new ConfigLoad(options, reader._problems, file);
    }

    private RunOptions? ReadAll(string text)
    {
        DocumentSyntax document;
        try
        {
            document = SyntaxParser.Parse(text, _file, true);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // Tomlyn reports mistakes as diagnostics; an exception here is its own failure on strange input
            // (nesting deeper than its limit, ...). Still one problem with a position, never a crash of reapd.
            Problem(new SourcePosition(_file, 1, 1), $"cannot be read as TOML ({e.Message}); expected a TOML document");
            return null;
        }
        foreach (DiagnosticMessage diagnostic in document.Diagnostics)
        {
            if (diagnostic.Kind == DiagnosticMessageKind.Error)
            {
                Problem(Position(diagnostic.Span.Start), SyntaxMessage(diagnostic.Message));
            }
        }
        // The tree is walked even when Tomlyn found errors, so one run reports the syntax error on line 3 and the
        // unknown key on line 9 together (values Tomlyn could not read are null and skipped).
        foreach (KeyValueSyntax keyValue in document.KeyValues)
        {
            ReadKeyValue([], keyValue, rule: null);
        }
        foreach (TableSyntaxBase table in document.Tables)
        {
            ReadTable(table);
        }
        CheckLevels();
        if (_problems.Count > 0)
        {
            // In file order, as an editor lists them (the sort is stable: problems at one place keep their order).
            var sorted = _problems.OrderBy(p => p.Where.Line).ThenBy(p => p.Where.Column).ToList();
            _problems.Clear();
            _problems.AddRange(sorted);
            return null;
        }
        DaemonConfig config = _config with { Rules = _rules.Count == 0 ? [] : [.. _rules] };
        return _options with { Config = config, Announce = _announce };
    }

    private void ReadTable(TableSyntaxBase table)
    {
        List<string>? name = KeyParts(table.Name);
        if (name is null)
        {
            return;
        }
        string joined = string.Join('.', name);
        SourcePosition where = Position(table.Name!.Span.Start);
        if (table is TableArraySyntax)
        {
            if (joined != "rule")
            {
                Problem(where, $"unknown table array [[{joined}]]; expected [[rule]] or one of the tables {ConfigKeys.TableList}");
                return;
            }
            var rule = new RuleDraft(++_ruleCount, Position(table.Span.Start));
            int problemsBefore = _problems.Count;
            foreach (KeyValueSyntax keyValue in table.Items)
            {
                ReadKeyValue([], keyValue, rule);
            }
            // A rule with a bad key is not judged as a whole too: "matches every process" would only repeat that
            // its one match key was refused.
            rule.Broken |= _problems.Count > problemsBefore;
            FinishRule(rule);
            return;
        }
        if (joined == "rule")
        {
            Problem(where, "[rule] is a single table; expected [[rule]] (one double-bracketed table per rule)");
            return;
        }
        if (!ConfigKeys.IsTable(joined))
        {
            Problem(where, $"unknown table [{joined}]; expected one of {ConfigKeys.TableList} or [[rule]]");
            return;
        }
        foreach (KeyValueSyntax keyValue in table.Items)
        {
            ReadKeyValue(name, keyValue, rule: null);
        }
    }

    /// <summary>A key = value line under <paramref name="prefix"/>; an inline table's keys are read as if written out.</summary>
    private void ReadKeyValue(List<string> prefix, KeyValueSyntax keyValue, RuleDraft? rule)
    {
        List<string>? parts = KeyParts(keyValue.Key);
        if (parts is null || keyValue.Value is null)
        {
            return;
        }
        var path = new List<string>(prefix.Count + parts.Count);
        path.AddRange(prefix);
        path.AddRange(parts);
        if (keyValue.Value is InlineTableSyntax inline && !(rule is null && path is ["rule"]))
        {
            foreach (InlineTableItemSyntax item in inline.Items)
            {
                if (item.KeyValue is KeyValueSyntax inner)
                {
                    ReadKeyValue(path, inner, rule);
                }
            }
            return;
        }
        var entry = new Entry(path, Position(keyValue.Key!.Span.Start), Position(keyValue.Value.Span.Start), keyValue.Value);
        if (rule is not null)
        {
            ReadRuleKey(rule, entry);
            return;
        }
        ReadSetting(entry);
    }

    private void ReadSetting(Entry entry)
    {
        string name = entry.Name;
        if (entry.Path.Count == 1)
        {
            Problem(entry.KeyAt, entry.Path[0] == "rule"
                ? "rules are written as [[rule]] tables; expected [[rule]] with its keys on the lines below"
                : ConfigKeys.IsTable(entry.Path[0])
                    ? $"[{entry.Path[0]}] is a table; expected its keys under a [{entry.Path[0]}] line"
                    : $"unknown key '{entry.Path[0]}' outside any table; expected a table such as [memory] first");
            return;
        }
        string table = entry.Path[0];
        if (!ConfigKeys.IsTable(table))
        {
            Problem(entry.KeyAt, $"unknown table '{table}' in key '{name}'; expected one of {ConfigKeys.TableList}");
            return;
        }
        ConfigKey? key = ConfigKeys.Find(name);
        if (key is null)
        {
            string inTable = string.Join('.', entry.Path.Skip(1));
            Problem(entry.KeyAt, $"unknown key '{inTable}' in [{table}]; expected one of {ConfigKeys.KeyList(table)}");
            return;
        }
        _valuePositions[name] = entry.ValueAt;
        key.Read(this, entry);
    }

    // ---- values (called by ConfigKeys' readers) ----

    internal DaemonConfig Config { get => _config; set => _config = value; }

    internal RunOptions Options { get => _options; set => _options = value; }

    internal AnnounceOptions Announce { get => _announce; set => _announce = value; }

    internal void Problem(SourcePosition where, string message) => _problems.Add(new ConfigProblem(where, OneLine(message)));

    /// <summary>
    /// Every problem is one line: a key or value written with escapes (a quoted key "a\nb", a multi-line string that
    /// Tomlyn quotes back) must not split it, so control characters are shown escaped.
    /// </summary>
    private static string OneLine(string message)
    {
        if (!message.Any(char.IsControl))
        {
            return message;
        }
        var text = new System.Text.StringBuilder(message.Length + 16);
        foreach (char c in message)
        {
            _ = c switch
            {
                '\n' => text.Append("\\n"),
                '\r' => text.Append("\\r"),
                '\t' => text.Append("\\t"),
                _ when char.IsControl(c) => text.Append(CultureInfo.InvariantCulture, $"\\u{(int)c:X4}"),
                _ => text.Append(c),
            };
        }
        return text.ToString();
    }

    /// <summary>A number (integer or float) within (low, high) or [low, high] as the flags say.</summary>
    internal bool TryPercent(Entry entry, bool allowHundred, out double percent, bool allowOff = false)
    {
        percent = 0;
        string expected = $"expected a number above 0 and {(allowHundred ? "at most" : "below")} 100{(allowOff ? ", or \"off\"" : "")}";
        if (!TryNumber(entry.Value, out double value))
        {
            Problem(entry.ValueAt, $"{entry.Name} is {Describe(entry.Value)}; {expected}");
            return false;
        }
        if (!(value > 0 && (value < 100 || (allowHundred && value <= 100))))
        {
            Problem(entry.ValueAt, $"{entry.Name} {Format(value)} is out of range; {expected}");
            return false;
        }
        percent = value;
        return true;
    }

    /// <summary>A percentage, or "off" (null).</summary>
    internal bool TryPercentOrOff(Entry entry, out double? percent)
    {
        percent = null;
        if (entry.Value is StringValueSyntax { Value: "off" })
        {
            return true;
        }
        if (TryPercent(entry, allowHundred: true, out double value, allowOff: true))
        {
            percent = value;
            return true;
        }
        return false;
    }

    /// <summary>A duration string like the command line's ("500ms", "3s", "1.5s", "2m") within [minMs, maxMs].</summary>
    internal bool TryDuration(Entry entry, long minMs, long maxMs, out int ms)
    {
        ms = 0;
        string range = maxMs == int.MaxValue
            ? minMs == 0 ? "" : $" of at least {FormatMs(minMs)}"
            : $" from {FormatMs(minMs)} to {FormatMs(maxMs)}";
        string expected = $"expected a duration{range} as a string like \"500ms\", \"3s\" or \"2m\"";
        if (entry.Value is not StringValueSyntax { Value: string text })
        {
            Problem(entry.ValueAt, $"{entry.Name} is {Describe(entry.Value)}; {expected}");
            return false;
        }
        if (!OptionValues.TryParseDurationMs(text, out int value))
        {
            Problem(entry.ValueAt, $"{entry.Name} {Show(text)} is not a duration; {expected}");
            return false;
        }
        if (value < minMs || value > maxMs)
        {
            Problem(entry.ValueAt, $"{entry.Name} {Show(text)} is out of range; {expected}");
            return false;
        }
        ms = value;
        return true;
    }

    internal bool TryBool(Entry entry, out bool value)
    {
        if (entry.Value is BooleanValueSyntax boolean)
        {
            value = boolean.Value;
            return true;
        }
        value = false;
        Problem(entry.ValueAt, $"{entry.Name} is {Describe(entry.Value)}; expected true or false");
        return false;
    }

    /// <summary>One of <paramref name="choices"/>; the index of the one given.</summary>
    internal bool TryChoice(Entry entry, string[] choices, out int index)
    {
        index = -1;
        string expected = "expected " + OneOf(choices);
        if (entry.Value is not StringValueSyntax { Value: string text })
        {
            Problem(entry.ValueAt, $"{entry.Name} is {Describe(entry.Value)}; {expected}");
            return false;
        }
        index = Array.IndexOf(choices, text);
        if (index < 0)
        {
            Problem(entry.ValueAt, $"{entry.Name} {Show(text)} is not a choice; {expected}");
            return false;
        }
        return true;
    }

    internal bool TryString(Entry entry, string what, out string text)
    {
        if (entry.Value is StringValueSyntax { Value: string value } && value.Length > 0)
        {
            text = value;
            return true;
        }
        text = "";
        Problem(entry.ValueAt, $"{entry.Name} is {(entry.Value is StringValueSyntax ? "empty" : Describe(entry.Value))}; expected {what}");
        return false;
    }

    internal bool TryInteger(Entry entry, long min, long max, out long value)
    {
        value = 0;
        string expected = $"expected a whole number from {min.ToString(CultureInfo.InvariantCulture)} to {max.ToString(CultureInfo.InvariantCulture)}";
        if (entry.Value is not IntegerValueSyntax integer)
        {
            Problem(entry.ValueAt, $"{entry.Name} is {Describe(entry.Value)}; {expected}");
            return false;
        }
        if (integer.Value < min || integer.Value > max)
        {
            Problem(entry.ValueAt, $"{entry.Name} {integer.Value.ToString(CultureInfo.InvariantCulture)} is out of range; {expected}");
            return false;
        }
        value = integer.Value;
        return true;
    }

    /// <summary>An array of non-empty strings (each checked by <paramref name="check"/>, which returns a problem or null).</summary>
    internal bool TryStringArray(Entry entry, string what, Func<string, string?> check, out List<string> values)
    {
        values = [];
        if (entry.Value is not ArraySyntax array)
        {
            Problem(entry.ValueAt, $"{entry.Name} is {Describe(entry.Value)}; expected an array of {what} like [\"a\", \"b\"]");
            return false;
        }
        bool ok = true;
        foreach (ArrayItemSyntax item in array.Items)
        {
            if (item.Value is null)
            {
                continue;
            }
            SourcePosition at = Position(item.Value.Span.Start);
            if (item.Value is not StringValueSyntax { Value: string text } || text.Length == 0)
            {
                Problem(at, $"an item of {entry.Name} is {(item.Value is StringValueSyntax ? "empty" : Describe(item.Value))}; expected {what}");
                ok = false;
                continue;
            }
            if (check(text) is string problem)
            {
                Problem(at, $"{entry.Name}: {problem}");
                ok = false;
                continue;
            }
            values.Add(text);
        }
        return ok;
    }

    /// <summary>A kill level above its term level can never SIGTERM first: refused, at the kill level's value.</summary>
    private void CheckLevels()
    {
        if (_config.KillPercent > _config.TermPercent)
        {
            SourcePosition at = _valuePositions.GetValueOrDefault("memory.kill_percent", _valuePositions.GetValueOrDefault("memory.term_percent"));
            Problem(at, $"memory.kill_percent {Format(_config.KillPercent)} is above memory.term_percent {Format(_config.TermPercent)}; expected at most the term level");
        }
        double swapTerm = _config.SwapTermPercent ?? _config.TermPercent;
        double swapKill = _config.SwapKillPercent ?? _config.KillPercent;
        if ((_config.SwapTermPercent is not null || _config.SwapKillPercent is not null) && swapKill > swapTerm)
        {
            SourcePosition at = _valuePositions.GetValueOrDefault("swap.kill_percent", _valuePositions.GetValueOrDefault("swap.term_percent"));
            Problem(at, $"swap.kill_percent {Format(swapKill)} is above swap.term_percent {Format(swapTerm)}; expected at most the swap term level");
        }
        if (_config.MinIntervalMs > _config.MaxIntervalMs)
        {
            SourcePosition at = _valuePositions.GetValueOrDefault("sampling.min_interval", _valuePositions.GetValueOrDefault("sampling.max_interval"));
            Problem(at, $"sampling.min_interval {FormatMs(_config.MinIntervalMs)} is longer than sampling.max_interval {FormatMs(_config.MaxIntervalMs)}; expected at most the longest interval");
        }
    }

    // ---- rules ----

    private void ReadRuleKey(RuleDraft rule, Entry entry)
    {
        string key = string.Join('.', entry.Path);
        var ruleEntry = entry with { Label = $"rule {rule.Index} {key}" };
        switch (key)
        {
            case "name":
                if (TryString(ruleEntry, "a name for the rule", out string name))
                {
                    rule.Name = name;
                }
                break;
            case "action":
                if (TryChoice(ruleEntry, ConfigKeys.RuleActions, out int action))
                {
                    rule.Action = (RuleAction)action;
                }
                break;
            case "comm":
                if (TryString(ruleEntry, "a process name (comm)", out string comm))
                {
                    if (System.Text.Encoding.UTF8.GetByteCount(comm) > 15)
                    {
                        // The kernel keeps 15 bytes of a name (TASK_COMM_LEN 16 with its NUL): a longer one never matches.
                        Problem(entry.ValueAt, $"{ruleEntry.Name} {Show(comm)} is longer than 15 bytes and can never match; expected the name as /proc/PID/comm shows it (cut to 15 bytes)");
                    }
                    else
                    {
                        rule.Match = rule.Match with { Comm = comm };
                    }
                }
                break;
            case "cmdline":
                if (TryString(ruleEntry, "a regular expression", out string pattern) && RegexCompiles(ruleEntry, pattern))
                {
                    rule.Match = rule.Match with { Cmdline = pattern };
                }
                break;
            case "cmdline_not":
                if (TryString(ruleEntry, "a regular expression", out string notPattern) && RegexCompiles(ruleEntry, notPattern))
                {
                    rule.Match = rule.Match with { CmdlineNot = notPattern };
                }
                break;
            case "exe":
                if (TryString(ruleEntry, "an absolute path of an executable (or a glob)", out string exe))
                {
                    if (exe[0] != '/')
                    {
                        Problem(entry.ValueAt, $"{ruleEntry.Name} {Show(exe)} is not an absolute path; expected a path like /usr/bin/firefox (globs * ? [ allowed)");
                    }
                    else if (!PathGlob.IsGlob(exe) || GlobCompiles(ruleEntry, exe, "a path like /usr/bin/firefox (globs * ? [ allowed)"))
                    {
                        rule.Match = rule.Match with { Exe = exe };
                    }
                }
                break;
            case "cgroup":
                if (TryString(ruleEntry, "a cgroup path glob", out string cgroup))
                {
                    if (cgroup[0] != '/')
                    {
                        Problem(entry.ValueAt, $"{ruleEntry.Name} {Show(cgroup)} is not a cgroup path; expected a path from the cgroup root like /system.slice/*.service");
                    }
                    else if (GlobCompiles(ruleEntry, cgroup, "a path from the cgroup root like /system.slice/*.service"))
                    {
                        rule.Match = rule.Match with { Cgroup = cgroup };
                    }
                }
                break;
            case "user":
                ReadRuleUser(rule, ruleEntry);
                break;
            case "adjust":
                if (TryInteger(ruleEntry, -1000, 1000, out long adjust))
                {
                    rule.Adjust = (int)adjust;
                    rule.AdjustAt = entry.KeyAt;
                }
                break;
            case "scale":
                if (!TryNumber(entry.Value, out double scale))
                {
                    Problem(entry.ValueAt, $"{ruleEntry.Name} is {Describe(entry.Value)}; expected a number above 0 (badness is multiplied by it)");
                }
                else if (!(scale > 0) || double.IsInfinity(scale))
                {
                    Problem(entry.ValueAt, $"{ruleEntry.Name} {Format(scale)} is out of range; expected a number above 0 (badness is multiplied by it)");
                }
                else
                {
                    rule.Scale = scale;
                    rule.ScaleAt = entry.KeyAt;
                }
                break;
            case "scope":
                if (TryChoice(ruleEntry, ConfigKeys.KillScopes, out int scope))
                {
                    rule.KillScope = (KillScope)scope;
                }
                break;
            default:
                Problem(entry.KeyAt, $"unknown key '{key}' in [[rule]]; expected one of {string.Join(", ", ConfigKeys.RuleKeys)}");
                return;
        }
    }

    private void ReadRuleUser(RuleDraft rule, Entry entry)
    {
        uint uid;
        string user;
        if (entry.Value is IntegerValueSyntax number)
        {
            if (number.Value is < 0 or > uint.MaxValue - 1)
            {
                Problem(entry.ValueAt, $"{entry.Name} {number.Value.ToString(CultureInfo.InvariantCulture)} is not a uid; expected a user name or a uid from 0 to 4294967294");
                return;
            }
            uid = (uint)number.Value;
            user = uid.ToString(CultureInfo.InvariantCulture);
        }
        else if (TryString(entry, "a user name or a numeric uid", out user))
        {
            if (uint.TryParse(user, NumberStyles.None, CultureInfo.InvariantCulture, out uint parsed))
            {
                uid = parsed;
            }
            else if (_resolveUser(user) is uint resolved)
            {
                uid = resolved;
            }
            else
            {
                Problem(entry.ValueAt, $"{entry.Name} {Show(user)} is not a user of this machine; expected a name from /etc/passwd or a numeric uid");
                return;
            }
        }
        else
        {
            return;
        }
        rule.Match = rule.Match with { User = user, Uid = uid };
    }

    /// <summary>
    /// Compiled as the rule engine will run it: non-backtracking (no pattern can make a scan take exponential time,
    /// and the interpreter is what NativeAOT runs anyway) and culture-invariant. A pattern that needs backtracking
    /// (backreferences, lookarounds, atomic groups) is refused here, with the column of the mistake.
    /// </summary>
    private bool RegexCompiles(Entry entry, string pattern)
    {
        // A pattern the rule engine matches as plain words is valid as it stands; building the expression only to
        // check it would leave the regular-expression engine's tables resident (docs/daemon.md, "Memory").
        if (PlainPattern.TryParse(pattern) is not null)
        {
            return true;
        }
        try
        {
            _ = new Regex(pattern, RuleRegexOptions);
            return true;
        }
        catch (RegexParseException e)
        {
            SourcePosition at = entry.ValueAt;
            // In a literal string ('...') or a basic one without escapes, offset N of the pattern is column + 1 + N.
            if (entry.Value is StringValueSyntax { Token: SyntaxToken token } && (token.TokenKind == TokenKind.StringLiteral
                || (token.TokenKind == TokenKind.String && token.Text?.Contains('\\', StringComparison.Ordinal) == false)))
            {
                at = at with { Column = at.Column + 1 + Math.Max(0, e.Offset - 1) };
            }
            Problem(at, $"{entry.Name} is not a valid regular expression ({Words(e.Error.ToString())}); expected a .NET regular expression");
            return false;
        }
        catch (NotSupportedException)
        {
            Problem(entry.ValueAt, $"{entry.Name} needs backtracking (a backreference, lookaround or atomic group); expected a regular expression without them");
            return false;
        }
    }

    /// <summary>
    /// Whether the rule engine can compile the glob (an exe or cgroup pattern): the reader must refuse what the engine
    /// would refuse, or a file check-config calls good stops `reapd ls` and `reapd run` (found by the config fuzz target).
    /// </summary>
    private bool GlobCompiles(Entry entry, string glob, string expected)
    {
        string? pattern = PathGlob.ToRegexPattern(glob, out string? problem);
        if (pattern is not null)
        {
            try
            {
                _ = new Regex(pattern, RuleRegexOptions);
                return true;
            }
            catch (ArgumentException e)
            {
                problem = Words(e is RegexParseException parse ? parse.Error.ToString() : e.Message);
            }
        }
        Problem(entry.ValueAt, $"{entry.Name} {Show(glob)} is not a valid glob ({problem}); expected {expected}");
        return false;
    }

    /// <summary>The options every rule's cmdline pattern is compiled with (here, and by the rule engine).</summary>
    public const RegexOptions RuleRegexOptions = RegexOptions.CultureInvariant | RegexOptions.NonBacktracking;

    private void FinishRule(RuleDraft rule)
    {
        if (rule.Broken)
        {
            return;
        }
        string label = rule.Name is null ? $"rule {rule.Index}" : $"rule {rule.Index} ('{rule.Name}')";
        if (rule.Action is not RuleAction action)
        {
            Problem(rule.Where, $"{label} has no action; expected action = {OneOf(ConfigKeys.RuleActions)}");
            return;
        }
        if (rule.Match.IsEmpty)
        {
            Problem(rule.Where, $"{label} matches every process; expected at least one of comm, cmdline, exe, cgroup, user");
            return;
        }
        if (action is RuleAction.Protect or RuleAction.Ignore && (rule.Adjust is not null || rule.Scale is not null))
        {
            Problem(rule.Adjust is not null ? rule.AdjustAt : rule.ScaleAt, $"{label}: adjust and scale change the ranking, which a {ConfigKeys.RuleActions[(int)action]} rule takes the process out of; expected them only with prefer or avoid");
            return;
        }
        _rules.Add(new PolicyRule(rule.Name ?? $"rule {rule.Index}", action, rule.Match, rule.Where)
        {
            Adjust = rule.Adjust,
            Scale = rule.Scale,
            KillScope = rule.KillScope,
        });
    }

    // ---- syntax helpers ----

    private static List<string>? KeyParts(KeySyntax? key)
    {
        if (key is null || KeyText(key.Key) is not string first)
        {
            return null;
        }
        var parts = new List<string> { first };
        foreach (DottedKeyItemSyntax dotted in key.DotKeys)
        {
            if (KeyText(dotted.Key) is not string part)
            {
                return null;
            }
            parts.Add(part);
        }
        return parts;
    }

    private static string? KeyText(BareKeyOrStringValueSyntax? key) => key switch
    {
        BareKeySyntax bare => bare.Key?.Text,
        StringValueSyntax quoted => quoted.Value,
        _ => null,
    };

    private static bool TryNumber(ValueSyntax value, out double number)
    {
        switch (value)
        {
            case IntegerValueSyntax integer:
                number = integer.Value;
                return true;
            case FloatValueSyntax real when double.IsFinite(real.Value):
                number = real.Value;
                return true;
            default:
                number = 0;
                return false;
        }
    }

    /// <summary>What kind of value was written, for "expected …" messages.</summary>
    internal static string Describe(ValueSyntax value) => value switch
    {
        StringValueSyntax s => $"the string {Show(s.Value ?? "")}",
        IntegerValueSyntax i => $"the integer {i.Value.ToString(CultureInfo.InvariantCulture)}",
        FloatValueSyntax f => $"the float {Format(f.Value)}",
        BooleanValueSyntax b => b.Value ? "true" : "false",
        ArraySyntax => "an array",
        InlineTableSyntax => "an inline table",
        DateTimeValueSyntax => "a date/time",
        _ => "a value of another kind",
    };

    /// <summary>Tomlyn's sentence, with a hint for the mistake it reports most often here.</summary>
    private static string SyntaxMessage(string message) =>
        message.Contains("already defined", StringComparison.Ordinal) ? message + "; expected each key and table once"
        : message.Contains("expect", StringComparison.OrdinalIgnoreCase) ? message
        : message + "; expected TOML (https://toml.io)";

    private SourcePosition Position(TextPosition position) =>
        // Tomlyn counts lines and columns from 0; editors and compilers from 1.
        new(_file, Math.Max(0, position.Line) + 1, Math.Max(0, position.Column) + 1);

    /// <summary>A value as written, for a message: quoted and escaped so the message stays one line, long ones cut.</summary>
    internal static string Show(string value) =>
        ConfigKeys.Quote(value.Length <= 80 ? value : string.Concat(value.AsSpan(0, 77), "..."));

    internal static string OneOf(string[] choices) =>
        choices.Length == 1 ? $"\"{choices[0]}\"" : string.Join(", ", choices[..^1].Select(c => $"{Show(c)}")) + $" or \"{choices[^1]}\"";

    internal static string Format(double value) => value.ToString("0.###", CultureInfo.InvariantCulture);

    /// <summary>InsufficientClosingParentheses → insufficient closing parentheses.</summary>
    private static string Words(string name)
    {
        var text = new System.Text.StringBuilder(name.Length + 8);
        foreach (char c in name)
        {
            if (char.IsUpper(c) && text.Length > 0)
            {
                text.Append(' ');
            }
            text.Append(char.ToLowerInvariant(c));
        }
        return text.ToString();
    }

    internal static string FormatMs(long ms) =>
        ms == 0 ? "0s" : ms % 60_000 == 0 && ms > 0 ? $"{ms / 60_000}m" : ms % 1000 == 0 && ms > 0 ? $"{ms / 1000}s" : $"{ms}ms";

    /// <summary>One key = value as read: its dotted path, where the key and the value start, the value.</summary>
    internal sealed record Entry(List<string> Path, SourcePosition KeyAt, SourcePosition ValueAt, ValueSyntax Value)
    {
        /// <summary>How messages name it: memory.term_percent, or "rule 2 comm".</summary>
        public string? Label { get; init; }

        public string Name => Label ?? string.Join('.', Path);
    }

    private sealed class RuleDraft(int index, SourcePosition where)
    {
        public int Index { get; } = index;
        public SourcePosition Where { get; } = where;
        public string? Name { get; set; }
        public RuleAction? Action { get; set; }
        public RuleMatch Match { get; set; } = new();
        public int? Adjust { get; set; }
        public SourcePosition AdjustAt { get; set; }
        public double? Scale { get; set; }
        public SourcePosition ScaleAt { get; set; }
        public KillScope? KillScope { get; set; }
        public bool Broken { get; set; }
    }
}
