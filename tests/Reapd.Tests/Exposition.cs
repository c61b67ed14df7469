using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace Reapd.Tests;

/// <summary>
/// A strict reader of the Prometheus text format 0.0.4, written from the format's description, for tests to parse
/// reapd's exposition back: every sample must follow its family's HELP and TYPE lines, names and label names must be
/// valid, label values are unescaped (\\, \", \n), values are Go floats. Anything else fails the test with the line.
/// </summary>
internal sealed partial class Exposition
{
    public sealed record Sample(string Name, IReadOnlyDictionary<string, string> Labels, double Value);

    public Dictionary<string, string> Types { get; } = [];

    public Dictionary<string, string> Help { get; } = [];

    public List<Sample> Samples { get; } = [];

    public static Exposition Parse(string text)
    {
        var exposition = new Exposition();
        Assert.EndsWith("\n", text);
        string? family = null;
        foreach (string line in text[..^1].Split('\n'))
        {
            if (line.StartsWith("# HELP ", StringComparison.Ordinal))
            {
                string[] parts = line[7..].Split(' ', 2);
                Assert.Matches(NamePattern(), parts[0]);
                Assert.False(exposition.Help.ContainsKey(parts[0]), $"a second HELP for {parts[0]}");
                exposition.Help[parts[0]] = Unescape(parts[1], quote: false);
                family = parts[0];
                continue;
            }
            if (line.StartsWith("# TYPE ", StringComparison.Ordinal))
            {
                string[] parts = line[7..].Split(' ');
                Assert.Equal(2, parts.Length);
                Assert.Equal(family, parts[0]);
                Assert.Contains(parts[1], new[] { "counter", "gauge", "histogram", "summary", "untyped" });
                exposition.Types[parts[0]] = parts[1];
                continue;
            }
            Assert.False(line.StartsWith('#'), $"unexpected comment line '{line}'");
            Sample sample = ParseSample(line);
            Assert.NotNull(family);
            string type = exposition.Types[family];
            string expected = type == "histogram" ? sample.Name switch
            {
                _ when sample.Name == family + "_bucket" || sample.Name == family + "_sum" || sample.Name == family + "_count" => sample.Name,
                _ => family + "_bucket|_sum|_count",
            } : family;
            Assert.True(sample.Name == expected, $"sample '{line}' under family {family} ({type})");
            exposition.Samples.Add(sample);
        }
        return exposition;
    }

    public IEnumerable<Sample> Named(string name) => Samples.Where(s => s.Name == name);

    /// <summary>The one sample named <paramref name="name"/> with these labels (and maybe others).</summary>
    public double Value(string name, params (string Name, string Value)[] labels) =>
        Named(name).Single(s => labels.All(l => s.Labels.TryGetValue(l.Name, out string? v) && v == l.Value)).Value;

    private static Sample ParseSample(string line)
    {
        int brace = line.IndexOf('{');
        int space = line.IndexOf(' ');
        var labels = new Dictionary<string, string>();
        string name;
        string rest;
        if (brace >= 0 && brace < space)
        {
            name = line[..brace];
            int i = brace + 1;
            while (line[i] != '}')
            {
                int equals = line.IndexOf('=', i);
                string label = line[i..equals];
                Assert.Matches(LabelPattern(), label);
                Assert.Equal('"', line[equals + 1]);
                var value = new StringBuilder();
                int j = equals + 2;
                while (line[j] != '"')
                {
                    if (line[j] == '\\')
                    {
                        j++;
                        value.Append(line[j] switch
                        {
                            '\\' => '\\',
                            '"' => '"',
                            'n' => '\n',
                            _ => throw new Xunit.Sdk.XunitException($"bad escape \\{line[j]} in '{line}'"),
                        });
                    }
                    else
                    {
                        value.Append(line[j]);
                    }
                    j++;
                }
                Assert.True(labels.TryAdd(label, value.ToString()), $"label {label} twice in '{line}'");
                i = j + 1;
                if (line[i] == ',')
                {
                    i++;
                }
            }
            rest = line[(i + 1)..];
        }
        else
        {
            name = line[..space];
            rest = line[space..];
        }
        Assert.Matches(NamePattern(), name);
        Assert.StartsWith(" ", rest);
        string number = rest[1..];
        Assert.DoesNotContain(" ", number);
        double parsed = number switch
        {
            "+Inf" => double.PositiveInfinity,
            "-Inf" => double.NegativeInfinity,
            "NaN" => double.NaN,
            _ => double.Parse(number, NumberStyles.Float, CultureInfo.InvariantCulture),
        };
        return new Sample(name, labels, parsed);
    }

    private static string Unescape(string text, bool quote)
    {
        var result = new StringBuilder();
        for (int i = 0; i < text.Length; i++)
        {
            if (text[i] != '\\')
            {
                result.Append(text[i]);
                continue;
            }
            i++;
            result.Append(text[i] switch
            {
                '\\' => '\\',
                'n' => '\n',
                '"' when quote => '"',
                _ => throw new Xunit.Sdk.XunitException($"bad escape \\{text[i]} in '{text}'"),
            });
        }
        return result.ToString();
    }

    [GeneratedRegex("^[a-zA-Z_:][a-zA-Z0-9_:]*$")]
    private static partial Regex NamePattern();

    [GeneratedRegex("^[a-zA-Z_][a-zA-Z0-9_]*$")]
    private static partial Regex LabelPattern();
}
