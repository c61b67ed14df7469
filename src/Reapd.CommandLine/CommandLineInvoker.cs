using System.CommandLine;
using System.CommandLine.Invocation;
using System.CommandLine.Parsing;

namespace Reapd.CommandLine;

/// <summary>
/// Parses and runs a command tree the way every reapd program does: bad input is one line on stderr,
/// "PROGRAM COMMAND: problem", and exit code 2 with nothing run; help and --version go to stdout.
/// </summary>
public static class CommandLineInvoker
{
    /// <summary>Bad command line; the value of ExitCodes.Usage in the reapd executable.</summary>
    public const int UsageExitCode = 2;

    public static int Invoke(Command root, string program, IReadOnlyList<string> args, TextWriter stdout, TextWriter stderr)
    {
        ArgumentNullException.ThrowIfNull(root);
        ArgumentNullException.ThrowIfNull(stderr);
        ParseResult result = root.Parse(args);
        if (result.Action is ParseErrorAction)
        {
            stderr.WriteLine($"{PathOf(result.CommandResult, program)}: {ParseProblem.Describe(result)}");
            return UsageExitCode;
        }
        return result.Invoke(new InvocationConfiguration
        {
            Output = stdout,
            Error = stderr,
            // A crash must stay a crash with its stack trace and the runtime's exit code, not a message and exit 1.
            EnableDefaultExceptionHandler = false,
            // reapd run handles SIGTERM and SIGINT itself (a clean stop of the daemon loop).
            ProcessTerminationTimeout = null,
        });
    }

    /// <summary>"reapd run" for the run command, "reapd" for the root; <paramref name="program"/> leads either way.</summary>
    public static string PathOf(CommandResult command, string program)
    {
        ArgumentNullException.ThrowIfNull(command);
        var names = new List<string>();
        for (SymbolResult? at = command; at is not null; at = at.Parent)
        {
            if (at is CommandResult c)
            {
                names.Add(c.Command.Name);
            }
        }
        if (names[^1] != program)
        {
            names.Add(program);
        }
        names.Reverse();
        return string.Join(' ', names);
    }
}
