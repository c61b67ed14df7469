using System.Globalization;
using System.Text;
using Reapd.Core.Policy;
using Reapd.Daemon;

namespace Reapd.Config;

/// <summary>
/// The settings in force, written as a reapd.toml that reads back to them (check-config prints it), and the keys
/// that differ between two sets of settings (the `reloaded` event).
/// </summary>
internal static class EffectiveSettings
{
    public static string Render(RunOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var text = new StringBuilder();
        string? table = null;
        foreach (ConfigKey key in ConfigKeys.All)
        {
            if (key.Table != table)
            {
                table = key.Table;
                text.Append(text.Length == 0 ? "" : "\n").Append('[').Append(table).Append("]\n");
            }
            string? value = key.Render(options);
            text.Append(value is null ? "# " : "").Append(key.Key).Append(" = ").Append(value ?? "(not set)").Append('\n');
        }
        foreach (PolicyRule rule in options.Config.Rules)
        {
            text.Append('\n').Append(RenderRule(rule));
        }
        return text.ToString();
    }

    /// <summary>The keys whose effective value differs ("rule" when the rules differ), in file order.</summary>
    public static List<string> Changed(RunOptions before, RunOptions after)
    {
        ArgumentNullException.ThrowIfNull(before);
        ArgumentNullException.ThrowIfNull(after);
        var changed = new List<string>();
        foreach (ConfigKey key in ConfigKeys.All)
        {
            if (key.Render(before) != key.Render(after))
            {
                changed.Add(key.Name);
            }
        }
        if (RenderRules(before.Config.Rules) != RenderRules(after.Config.Rules))
        {
            changed.Add("rule");
        }
        return changed;
    }

    /// <summary>The rules without where they were written: moving a rule to another line changes nothing.</summary>
    private static string RenderRules(IReadOnlyList<PolicyRule> rules) => string.Concat(rules.Select(RenderRule));

    private static string RenderRule(PolicyRule rule)
    {
        var text = new StringBuilder("[[rule]]\n");
        Line(text, "name", ConfigKeys.Quote(rule.Name));
        Line(text, "action", ConfigKeys.Quote(ConfigKeys.RuleActions[(int)rule.Action]));
        Line(text, "comm", rule.Match.Comm is null ? null : ConfigKeys.Quote(rule.Match.Comm));
        Line(text, "cmdline", rule.Match.Cmdline is null ? null : ConfigKeys.Quote(rule.Match.Cmdline));
        Line(text, "cmdline_not", rule.Match.CmdlineNot is null ? null : ConfigKeys.Quote(rule.Match.CmdlineNot));
        Line(text, "exe", rule.Match.Exe is null ? null : ConfigKeys.Quote(rule.Match.Exe));
        Line(text, "cgroup", rule.Match.Cgroup is null ? null : ConfigKeys.Quote(rule.Match.Cgroup));
        Line(text, "user", rule.Match.User is null ? null : ConfigKeys.Quote(rule.Match.User) + $"  # uid {rule.Match.Uid?.ToString(CultureInfo.InvariantCulture)}");
        Line(text, "adjust", rule.Adjust?.ToString(CultureInfo.InvariantCulture));
        Line(text, "scale", rule.Scale?.ToString("0.###", CultureInfo.InvariantCulture));
        Line(text, "scope", rule.KillScope is KillScope scope ? ConfigKeys.Quote(ConfigKeys.KillScopes[(int)scope]) : null);
        return text.ToString();
    }

    private static void Line(StringBuilder text, string key, string? value)
    {
        if (value is not null)
        {
            text.Append(key).Append(" = ").Append(value).Append('\n');
        }
    }
}
