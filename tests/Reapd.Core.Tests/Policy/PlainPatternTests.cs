using System.Text.RegularExpressions;
using CsCheck;
using Reapd.Core.Policy;

namespace Reapd.Core.Tests.Policy;

/// <summary>
/// The plain-text matcher that replaces a regular expression for argument patterns must give the regular expression's
/// answer, with the options the rule engine compiles it with, on every command line; and must refuse (leave to the
/// regular expression) every pattern it cannot say exactly.
/// </summary>
public sealed class PlainPatternTests
{
    private const RegexOptions EngineOptions = RegexOptions.NonBacktracking | RegexOptions.CultureInvariant;

    private static readonly string[] s_patterns =
    [
        DesktopRules.ChromiumChildPattern, DesktopRules.ChromiumAnyChildPattern, DesktopRules.FirefoxChildPattern,
        "(^| )--user( |$)", "(^| )-jar", "(^| )a(b|)c( |$)", "(^| )x(y|yy)", "(^| )(ab|a)( |$)",
        "--type=renderer", "-jar", "--user( |$)", "a(b|)c",
    ];

    // Pieces that line the words up with and against argument edges: spaces, a final newline, the words, their parts.
    private static readonly string[] s_pieces =
        [" ", " ", "\n", "--type=", "renderer", "utility", "render", "-contentproc", "--user", "-jar", "a", "b", "c", "ac", "abc", "x", "y", "xy", "--type=renderer", "é"];

    [Fact]
    public void Every_desktop_rule_pattern_is_matched_without_a_regular_expression()
    {
        foreach (string pattern in new[] { DesktopRules.ChromiumChildPattern, DesktopRules.ChromiumAnyChildPattern, DesktopRules.FirefoxChildPattern, "(^| )--user( |$)" })
        {
            Assert.NotNull(PlainPattern.TryParse(pattern));
        }
    }

    [Theory]
    [InlineData("^--user$")]
    [InlineData("a.b")]
    [InlineData("")]
    [InlineData("( |$)")]
    [InlineData("(^| )--us.r( |$)")]
    [InlineData("(^| )--user+")]
    [InlineData("(^| )(a|(b))")]
    [InlineData("(^| )a(b|c)(d|e)")]
    [InlineData("(^| )--user( |$)x")]
    [InlineData("(^| )--user(  |$)")]
    [InlineData("(^| )\\d")]
    [InlineData("(^| )")]
    [InlineData("(^| )( |$)")]
    [InlineData("(^| )(|)")]
    [InlineData("(^| )a b")]
    [InlineData("(^| )[ab]")]
    public void A_pattern_that_is_not_plain_text_stays_a_regular_expression(string pattern) =>
        Assert.Null(PlainPattern.TryParse(pattern));

    [Theory]
    [InlineData(DesktopRules.ChromiumChildPattern, "/opt/chrome --type=renderer --lang=en", true)]
    [InlineData(DesktopRules.ChromiumChildPattern, "/opt/chrome --type=renderer-x", false)]
    [InlineData(DesktopRules.ChromiumChildPattern, "/opt/chrome x--type=utility", false)]
    [InlineData(DesktopRules.ChromiumChildPattern, "--type=utility", true)]
    [InlineData(DesktopRules.ChromiumChildPattern, "chrome --type=utility\n", true)]
    [InlineData(DesktopRules.ChromiumChildPattern, "chrome --type=utility\n\n", false)]
    [InlineData(DesktopRules.ChromiumAnyChildPattern, "chrome --type=gpu-process", true)]
    [InlineData(DesktopRules.ChromiumAnyChildPattern, "chrome --no-type=gpu", false)]
    [InlineData(DesktopRules.FirefoxChildPattern, "firefox -contentproc -childID 3", true)]
    [InlineData(DesktopRules.FirefoxChildPattern, "firefox -contentprocs", false)]
    [InlineData("--type=renderer", "chrome x--type=renderers", true)]
    [InlineData("--type=renderer", "chrome --type=utility", false)]
    [InlineData("--user( |$)", "systemd x--user", true)]
    [InlineData("--user( |$)", "systemd --users", false)]
    public void A_plain_pattern_matches_where_the_regular_expression_does(string pattern, string cmdline, bool expected)
    {
        Assert.Equal(expected, new Regex(pattern, EngineOptions).IsMatch(cmdline));
        Assert.Equal(expected, PlainPattern.TryParse(pattern)!.IsMatch(cmdline));
    }

    [Fact]
    public void A_plain_pattern_answers_as_its_regular_expression_on_random_command_lines()
    {
        var regexes = s_patterns.Select(p => (Regex: new Regex(p, EngineOptions), Words: PlainPattern.TryParse(p)!)).ToArray();
        Assert.All(regexes, r => Assert.NotNull(r.Words));
        int[] matched = new int[regexes.Length], missed = new int[regexes.Length];
        Gen.OneOf(s_pieces).Array[0, 8].Select(pieces => string.Concat(pieces)).Sample(cmdline =>
        {
            for (int i = 0; i < regexes.Length; i++)
            {
                bool expected = regexes[i].Regex.IsMatch(cmdline);
                Assert.True(expected == regexes[i].Words.IsMatch(cmdline), $"pattern {regexes[i].Regex} on \"{cmdline}\": the regular expression says {expected}");
                (expected ? matched : missed)[i]++;
            }
        }, iter: 20_000);
        // Each pattern must have been seen to match and to miss often, or the comparison proved little for it.
        for (int i = 0; i < regexes.Length; i++)
        {
            Assert.True(matched[i] >= 50 && missed[i] >= 50, $"pattern {s_patterns[i]}: {matched[i]} matches, {missed[i]} misses");
        }
    }
}
