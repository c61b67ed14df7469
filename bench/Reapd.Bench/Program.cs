using Reapd.CommandLine;

namespace Reapd.Bench;

/// <summary>Entry point: dotnet run --project bench/Reapd.Bench -c Release -- [--quick] (as root).</summary>
internal static class Program
{
    public static int Main(string[] args)
    {
        // Bad input: one line "bench: ..." and exit 2, as reapd's own commands; --help prints the generated help.
        var commandLine = new BenchCommandLine();
        commandLine.Command.SetAction(result =>
        {
            BenchOptions? options = commandLine.Read(result, out string? error);
            if (options is null)
            {
                result.InvocationConfiguration.Error.WriteLine("bench: " + error);
                return CommandLineInvoker.UsageExitCode;
            }
            string root = FindRepositoryRoot();
            if (options.BuildProgramsOnly)
            {
                NativeBinaries built = BenchRunner.BuildPrograms(root);
                Console.WriteLine($"bench: built {built.Hog}, {built.Forkstorm}, {built.Ballast}, {built.SigBlock}, {built.WakeFloor}{(built.FuseStuck is null ? "" : ", " + built.FuseStuck)}");
                return 0;
            }
            using var runner = new BenchRunner(options, root);
            return runner.Run();
        });
        return CommandLineInvoker.Invoke(commandLine.Command, "bench", args, Console.Out, Console.Error);
    }

    private static string FindRepositoryRoot()
    {
        foreach (string start in new[] { Environment.CurrentDirectory, AppContext.BaseDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir != null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "reapd.slnx")))
                {
                    return dir.FullName;
                }
            }
        }
        throw new InvalidOperationException("cannot find the repository root (reapd.slnx)");
    }
}
