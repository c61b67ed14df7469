namespace Reapd.Bench;

/// <summary>Entry point: dotnet run --project bench/Reapd.Bench -c Release -- [--quick] (as root).</summary>
internal static class Program
{
    public static int Main(string[] args)
    {
        var options = BenchOptions.Parse(args, out string? error);
        if (options is null)
        {
            if (error is { Length: > 0 })
            {
                Console.Error.WriteLine(error);
            }
            Console.Error.WriteLine(BenchOptions.Usage);
            return error is { Length: > 0 } ? 2 : 0;
        }
        string root = FindRepositoryRoot();
        using var runner = new BenchRunner(options, root);
        return runner.Run();
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
