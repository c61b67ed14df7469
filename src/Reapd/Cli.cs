namespace Reapd;

/// <summary>
/// The command dispatcher. Each command lives in its own file and returns an exit code from <see cref="ExitCodes"/>.
/// </summary>
internal static class Cli
{
    public const string Usage = """
        usage: reapd <command> [options]

        commands:
          run          guard the machine (or one cgroup with --cgroup PATH) and kill before the kernel would
          ls           list the ranked kill candidates right now, and why the others are excluded
          kill PID     kill one process through its pidfd and reap its memory at once
          model-check  explore the kernel's reaper/exit_mmap protocol and reapd's own protocol for races

        run 'reapd <command> --help' for the options of one command.
        """;

    public static int Run(string[] args, TextWriter stdout, TextWriter stderr)
    {
        if (args.Length == 0)
        {
            // Built-in defaults: with no arguments reapd guards the whole machine.
            return RunCommand.Run([], stdout, stderr);
        }

        string command = args[0];
        string[] rest = args[1..];
        switch (command)
        {
            case "run":
                return RunCommand.Run(rest, stdout, stderr);
            case "ls":
                return LsCommand.Run(rest, stdout, stderr);
            case "kill":
                return KillCommand.Run(rest, stdout, stderr);
            case "model-check":
                return Reapd.Model.ModelCheckCommand.Run(rest, stdout, stderr);
            case "-h" or "--help" or "help":
                stdout.WriteLine(Usage);
                return ExitCodes.Ok;
            default:
                stderr.WriteLine($"reapd: unknown command '{command}'");
                stderr.WriteLine(Usage);
                return ExitCodes.Usage;
        }
    }
}
