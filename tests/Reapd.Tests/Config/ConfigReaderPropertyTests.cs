using System.Text;
using CsCheck;
using Reapd.Config;
using Reapd.Testing;

namespace Reapd.Tests.Config;

/// <summary>
/// The reader on arbitrary text: it returns options or problems, never throws, and every problem has a position
/// inside the file. Random bytes (decoded as UTF-8 with replacement, as no file reaches the reader otherwise) and
/// mutations of a valid file (characters deleted, inserted, replaced, lines swapped) — the second kind reaches far
/// past the TOML parser into the key and value checks.
/// </summary>
public sealed class ConfigReaderPropertyTests
{
    /// <summary>How many inputs each property runs (CsCheck's iterations): 4000 random texts, 4000 mutated files.</summary>
    private const int Iterations = 4000;

    private static readonly string Valid = """
        [memory]
        term_percent = 12
        kill_percent = 6
        [swap]
        combination = "any-of"
        [psi]
        full_percent = "off"
        some_window = "4s"
        [kill]
        grace = "2s"
        scope = "subtree"
        [choice]
        protect = ["sshd", "Xorg"]
        kubernetes = "on"
        [[rule]]
        name = "tabs"
        action = "prefer"
        cmdline = '--type=(renderer|gpu)'
        adjust = 300
        [[rule]]
        action = "protect"
        user = 0
        """;

    private static readonly string Tokens = "[]{}=\"'.,#\n \t0123456789abcdefghijklmnopqrstuvwxyz_-+:\\(|)*?";

    [Fact]
    public void Random_bytes_give_problems_or_options_and_never_an_exception()
    {
        Gen.Byte.Array[0, 512].Sample(bytes => Holds(Encoding.UTF8.GetString(bytes)), iter: Iterations);
    }

    [Fact]
    public void Mutated_valid_files_give_problems_or_options_and_never_an_exception()
    {
        Assert.True(ConfigReader.Read(Valid, "valid.toml", _ => null).Ok);
        Gen<(int Kind, int Position, char Character)> mutation = Gen.Select(Gen.Int[0, 3], Gen.Int[0, Valid.Length], Gen.Int[0, Tokens.Length - 1].Select(i => Tokens[i]));
        mutation.Array[1, 12].Sample(mutations => Holds(Mutate(Valid, mutations)), iter: Iterations);
    }

    [Fact]
    public void The_shipped_example_mutated_gives_problems_or_options_and_never_an_exception()
    {
        string example = File.ReadAllText(Path.Combine(NativeProgram.RepositoryRoot, "packaging", "reapd.toml"));
        // Uncommented, so the mutations hit keys and values rather than comments.
        string text = string.Join('\n', example.Split('\n').Select(l => l.StartsWith("#[a", StringComparison.Ordinal) || (l.Length > 1 && l[0] == '#' && char.IsAsciiLetterLower(l[1]) && l.Contains(" = ", StringComparison.Ordinal)) ? l[1..] : l));
        Gen<(int Kind, int Position, char Character)> mutation = Gen.Select(Gen.Int[0, 3], Gen.Int[0, text.Length], Gen.Int[0, Tokens.Length - 1].Select(i => Tokens[i]));
        mutation.Array[1, 8].Sample(mutations => Holds(Mutate(text, mutations)), iter: Iterations / 4);
    }

    private static string Mutate(string text, (int Kind, int Position, char Character)[] mutations)
    {
        var builder = new StringBuilder(text);
        foreach ((int kind, int position, char c) in mutations)
        {
            int at = Math.Min(position, builder.Length);
            switch (kind)
            {
                case 0 when at < builder.Length:
                    builder.Remove(at, 1);
                    break;
                case 1:
                    builder.Insert(at, c);
                    break;
                case 2 when at < builder.Length:
                    builder[at] = c;
                    break;
                default:
                    // Swap the line at this position with the next one (moves keys between tables).
                    string[] lines = builder.ToString().Split('\n');
                    int line = builder.ToString(0, at).Count(ch => ch == '\n');
                    if (line + 1 < lines.Length)
                    {
                        (lines[line], lines[line + 1]) = (lines[line + 1], lines[line]);
                    }
                    builder.Clear().Append(string.Join('\n', lines));
                    break;
            }
        }
        return builder.ToString();
    }

    /// <summary>The property: no exception; options xor problems; every problem inside the file and said in one line.</summary>
    private static void Holds(string text)
    {
        ConfigLoad load = ConfigReader.Read(text, "fuzz.toml", name => name == "root" ? 0u : null);
        int lines = text.Split('\n').Length;
        foreach (ConfigProblem p in load.Problems)
        {
            Assert.True(p.Where.File == "fuzz.toml" && p.Where.Line >= 1 && p.Where.Line <= lines + 1 && p.Where.Column >= 1,
                $"position {p.Where} outside the {lines} lines of: {text}");
            Assert.True(p.Message.Length > 0 && !p.Message.Contains('\n', StringComparison.Ordinal), $"message '{p.Message}' for: {text}");
        }
        Assert.True((load.Options is null) == (load.Problems.Count > 0), $"options and problems disagree for: {text}");
    }
}
