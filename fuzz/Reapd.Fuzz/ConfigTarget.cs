using System.Text;
using Reapd.Config;
using Reapd.Core.Daemon;

namespace Reapd.Fuzz;

/// <summary>
/// The fuzz target for the configuration reader (src/Reapd/Config/ConfigReader.cs): reapd.toml is written by people,
/// and a mistake in it must be a message, never a crash of `reapd run`, `check-config` or a reload. Kept apart from
/// <see cref="ParserTargets"/> because the reader lives in the reapd assembly, which the core's property tests do not
/// reference; the reapd tests compile this file too (tests/Reapd.Tests/Config/ConfigFuzzTargetTests.cs).
/// <para>
/// The contract checked: the reader never throws, whatever the text; it gives options or problems, never both or
/// neither; every problem has a position inside the text and a message of one line; options it accepts validate
/// (<see cref="DaemonConfig.Validate"/>: levels in order, rules that compile) and reading the same text again gives
/// the same answer (nothing in the reader depends on state left by an earlier call).
/// </para>
/// </summary>
public static class ConfigTarget
{
    public const string Name = "config";

    private const string File = "fuzz.toml";

    // Bytes that are not UTF-8 become U+FFFD, so every input reaches the reader (ConfigFile refuses such a file
    // before the reader; the reader's own contract is on any string).
    private static readonly UTF8Encoding Lenient = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: false);

    public static void Run(ReadOnlySpan<byte> input)
    {
        string text = Lenient.GetString(input);
        ConfigLoad load = Read(text);
        int lines = 1;
        foreach (char c in text)
        {
            lines += c == '\n' ? 1 : 0;
        }
        foreach (ConfigProblem problem in load.Problems)
        {
            Check(problem.Where.File == File && problem.Where.Line >= 1 && problem.Where.Line <= lines + 1 && problem.Where.Column >= 1,
                $"problem at {problem.Where}, outside the {lines} lines of the text: {problem.Message}");
            Check(problem.Message.Length > 0 && problem.Message.IndexOf('\n', StringComparison.Ordinal) < 0,
                $"problem message empty or of several lines: '{problem.Message}'");
        }
        Check((load.Options is null) == (load.Problems.Count > 0), $"options {(load.Options is null ? "absent" : "present")} with {load.Problems.Count} problems");
        if (load.Options is not null)
        {
            string? invalid = load.Options.Config.Validate();
            Check(invalid is null, $"the reader accepted a configuration that does not validate: {invalid}");
        }
        ConfigLoad again = Read(text);
        Check(again.Problems.SequenceEqual(load.Problems) && (again.Options is null) == (load.Options is null)
            && (load.Options is null || EffectiveSettings.Render(load.Options) == EffectiveSettings.Render(again.Options!)),
            "reading the same text twice gave different answers");
    }

    // A fixed user table: /etc/passwd is the machine's, and a finding must reproduce anywhere.
    private static ConfigLoad Read(string text) =>
        ConfigReader.Read(text, File, user => user switch { "root" => 0u, "nobody" => 65534u, _ => null });

    private static void Check(bool condition, string finding)
    {
        if (!condition)
        {
            throw new FuzzFindingException($"config: {finding}");
        }
    }
}
