using System.CommandLine;
using Reapd.CommandLine;

namespace Reapd.Config;

/// <summary>
/// `reapd check-config [FILE]`: reads the file as `reapd run` would and lists every problem (exit 78), or says it is
/// ok and prints the settings it gives (exit 0). Nothing else is touched.
/// </summary>
internal static class CheckConfigCommand
{
    public static DocumentedCommand Create()
    {
        var file = new Argument<string?>("FILE")
        {
            Description = "the configuration to check (default /etc/reapd/reapd.toml)",
            Arity = ArgumentArity.ZeroOrOne,
        };
        var quiet = new Option<bool>("--quiet", "-q")
        {
            Description = "print only the problems, or nothing when the file is ok",
            Arity = ArgumentArity.Zero,
        };
        var command = new DocumentedCommand("check-config",
            "checks a configuration file: every problem with FILE:LINE:COLUMN and what was expected (exit 78), or 'FILE: ok' and the settings in force")
        {
            Details = """
                Reads FILE (default /etc/reapd/reapd.toml) exactly as 'reapd run' reads it at start and on SIGHUP: TOML
                syntax, unknown tables and keys, wrong types, values out of range, a kill level above its term level,
                rules that match nothing or whose pattern does not compile, users that do not exist. Every problem is one
                line, FILE:LINE:COLUMN: what is wrong; expected what. A good file prints 'FILE: ok' and then the effective
                settings as TOML (built-in defaults for the keys the file leaves out). docs/config.md lists every key.
                """,
            DocLink = "docs/config.md",
        };
        command.Arguments.Add(file);
        command.Options.Add(quiet);
        command.SetAction(result => Run(result.GetValue(file), result.GetValue(quiet), result.InvocationConfiguration.Output, result.InvocationConfiguration.Error));
        return command;
    }

    private static int Run(string? file, bool quiet, TextWriter stdout, TextWriter stderr)
    {
        string path = file ?? ConfigFile.DefaultPath;
        // check-config reads the default path even when it is absent: being told "no such file" is the useful answer.
        ConfigLoad load = ConfigFile.Load(path);
        if (!load.Ok)
        {
            foreach (ConfigProblem problem in load.Problems)
            {
                stderr.WriteLine(problem.ToString());
            }
            stderr.WriteLine($"{path}: {load.Problems.Count} problem{(load.Problems.Count == 1 ? "" : "s")}");
            return ExitCodes.ConfigInvalid;
        }
        if (!quiet)
        {
            stdout.WriteLine($"{path}: ok");
            stdout.WriteLine();
            stdout.WriteLine("# The settings in force with this file (built-in defaults where it sets nothing):");
            stdout.Write(EffectiveSettings.Render(load.Options!));
        }
        return ExitCodes.Ok;
    }
}
