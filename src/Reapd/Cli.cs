using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Invocation;
using Reapd.CommandLine;
using Reapd.Daemon;

namespace Reapd;

/// <summary>
/// Every command of the reapd executable, defined once with System.CommandLine: the parser, the help, the bash
/// completion script, the man page (docs/reapd.8) and README's command table all come from these definitions.
/// </summary>
internal static class Cli
{
    public const string Program = "reapd";

    public static int Run(string[] args, TextWriter stdout, TextWriter stderr)
    {
        RunOptions? daemon = null;
        int code = CommandLineInvoker.Invoke(CreateRoot(options => daemon = options), Program, args, stdout, stderr);
        if (daemon is null)
        {
            return code;
        }
        // The daemon runs after the parse returned, not inside System.CommandLine's invocation pipeline, so none of
        // the command line's objects stay reachable for the daemon's whole life.
        return RunCommand.Run(daemon, stdout, stderr);
    }

    /// <summary>The command tree; <paramref name="startDaemon"/> receives the options of `reapd run` (and of `reapd`).</summary>
    public static DocumentedCommand CreateRoot(Action<RunOptions>? startDaemon = null)
    {
        startDaemon ??= _ => { };
        var root = new DocumentedCommand(Program, "a userspace OOM killer and memory reaper for Linux")
        {
            Details = """
                reapd watches memory (the whole machine, or one cgroup), and before the machine starts thrashing it kills
                the right process through a pidfd, reaps its memory at once with process_mrelease, and picks no second
                victim while the first one's memory is still coming back. Without a command it runs the daemon with its
                built-in defaults, as 'reapd run' does.
                """,
        };
        root.Options.Add(HelpText.CreateOption());
        root.Options.Add(new VersionOption { Description = "print reapd's version", Action = new PrintVersion() });

        var run = new RunOptionsParser();
        run.Command.SetAction(result =>
        {
            RunOptions? options = run.Read(result, out string? error, out int exitCode);
            if (options is null)
            {
                TextWriter stderr = result.InvocationConfiguration.Error;
                if (exitCode == ExitCodes.ConfigInvalid)
                {
                    // Every problem on its own line (FILE:LINE:COL: ...), then why nothing started.
                    stderr.WriteLine(error);
                    stderr.WriteLine($"{Program} run: the configuration has mistakes; nothing started");
                }
                else
                {
                    stderr.WriteLine($"{Program} run: {error}");
                }
                return exitCode;
            }
            startDaemon(options);
            return ExitCodes.Ok;
        });
        root.Subcommands.Add(run.Command);
        root.Subcommands.Add(LsCommand.Create());
        root.Subcommands.Add(Config.CheckConfigCommand.Create());
        root.Subcommands.Add(KillCommand.Create());
        root.Subcommands.Add(ReplayCommand.Create());
        root.Subcommands.Add(Model.ModelCheckCommand.Create());
        root.Subcommands.Add(CompletionCommand.Create(root));
        root.Subcommands.Add(ManCommand.Create(root));
        root.Subcommands.Add(ManCommand.CreateReadmeTable(root));
        // `reapd help` as the hand-written dispatcher had it: the root's help.
        var help = new Command("help", "prints this help") { Hidden = true };
        help.SetAction(result =>
        {
            HelpText.Write(root, Program, result.InvocationConfiguration.Output);
            return ExitCodes.Ok;
        });
        root.Subcommands.Add(help);
        // `reapd` alone guards the whole machine with the built-in defaults.
        root.SetAction(result =>
        {
            // As `reapd run` without options: the default configuration file when it exists.
            Config.ConfigLoad load = Config.ConfigFile.Load(null);
            if (!load.Ok)
            {
                result.InvocationConfiguration.Error.WriteLine(string.Join(Environment.NewLine, load.Problems));
                result.InvocationConfiguration.Error.WriteLine($"{Program}: the configuration has mistakes; nothing started");
                return ExitCodes.ConfigInvalid;
            }
            startDaemon(load.Options! with { ConfigFileRead = load.File });
            return ExitCodes.Ok;
        });
        HelpText.Apply(root, Program);
        return root;
    }

    /// <summary>reapd's version (Directory.Build.props), whichever program hosts this code.</summary>
    private sealed class PrintVersion : SynchronousCommandLineAction
    {
        public override bool ClearsParseErrors => true;

        public override int Invoke(ParseResult parseResult)
        {
            parseResult.InvocationConfiguration.Output.WriteLine(ReapdVersion.Text);
            return ExitCodes.Ok;
        }
    }
}
