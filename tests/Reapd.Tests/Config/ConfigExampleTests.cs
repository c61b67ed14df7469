using System.Text.RegularExpressions;
using Reapd.Config;
using Reapd.Daemon;
using Reapd.Testing;

namespace Reapd.Tests.Config;

/// <summary>
/// The shipped packaging/reapd.toml and docs/config.md against the reader: the example reads as the built-in
/// defaults (as shipped, and with every commented default uncommented), it names every key, and the docs name
/// exactly the keys the reader knows.
/// </summary>
public sealed partial class ConfigExampleTests
{
    private static readonly string Example = Path.Combine(NativeProgram.RepositoryRoot, "packaging", "reapd.toml");

    /// <summary>Keys whose default is "not set": the example shows them with a sample value instead.</summary>
    private static readonly HashSet<string> UnsetByDefault =
        ["swap.term_percent", "swap.kill_percent", "guard.cgroup", "metrics.file", "metrics.listen", "notify.hook_before_kill", "notify.hook_after_kill"];

    [Fact]
    public void The_shipped_example_reads_as_the_built_in_defaults()
    {
        ConfigLoad load = ConfigReader.Read(File.ReadAllText(Example), Example);
        Assert.Empty(load.Problems);
        Assert.Equal(EffectiveSettings.Render(RunOptions.Defaults), EffectiveSettings.Render(load.Options!));
        Assert.Empty(EffectiveSettings.Changed(RunOptions.Defaults, load.Options!));
    }

    [Fact]
    public void Every_commented_default_in_the_example_is_the_real_default()
    {
        // Uncomment every "#key = value" line of the tables (the sample rules at the end stay comments): the file
        // must still read as the defaults, so a default changed in code but not in the example fails here.
        string table = "";
        var uncommented = new List<string>();
        var named = new HashSet<string>();
        foreach (string line in File.ReadLines(Example))
        {
            if (line.StartsWith('[') && !line.StartsWith("[["))
            {
                table = line.Trim('[', ']');
            }
            Match key = CommentedKey().Match(line);
            if (key.Success && table.Length > 0 && !line.StartsWith("#name", StringComparison.Ordinal) && ConfigKeys.Find($"{table}.{key.Groups[1].Value}") is not null)
            {
                string name = $"{table}.{key.Groups[1].Value}";
                named.Add(name);
                if (!UnsetByDefault.Contains(name))
                {
                    uncommented.Add(line[1..]);
                    continue;
                }
            }
            uncommented.Add(line);
        }
        Assert.Equal(ConfigKeys.All.Select(k => k.Name).Order(), named.Order());
        ConfigLoad load = ConfigReader.Read(string.Join('\n', uncommented), "uncommented.toml");
        Assert.Empty(load.Problems);
        Assert.Equal(EffectiveSettings.Render(RunOptions.Defaults), EffectiveSettings.Render(load.Options!));
    }

    [Fact]
    public void The_docs_name_exactly_the_keys_the_reader_knows()
    {
        string table = "";
        var documented = new List<string>();
        var ruleKeys = new List<string>();
        foreach (string line in File.ReadLines(Path.Combine(NativeProgram.RepositoryRoot, "docs", "config.md")))
        {
            Match heading = TableHeading().Match(line);
            if (heading.Success)
            {
                table = heading.Groups[1].Value;
                continue;
            }
            Match row = KeyRow().Match(line);
            if (row.Success && table.Length > 0)
            {
                (table == "[rule]" ? ruleKeys : documented).Add(table == "[rule]" ? row.Groups[1].Value : $"{table}.{row.Groups[1].Value}");
            }
        }
        Assert.Equal(ConfigKeys.All.Select(k => k.Name), documented);
        Assert.Equal(ConfigKeys.RuleKeys, ruleKeys);
    }

    [GeneratedRegex(@"^#([a-z_]+) = ")]
    private static partial Regex CommentedKey();

    /// <summary>"## [memory]" or "## [[rule]]" (the rule table is recorded as "[rule]").</summary>
    [GeneratedRegex(@"^## \[(\[?[a-z]+\]?)\]$")]
    private static partial Regex TableHeading();

    [GeneratedRegex(@"^\| `([a-z_]+)` \|")]
    private static partial Regex KeyRow();
}
