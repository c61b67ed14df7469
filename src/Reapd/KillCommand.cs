namespace Reapd;

internal static class KillCommand
{
    public static int Run(string[] args, TextWriter stdout, TextWriter stderr)
    {
        stderr.WriteLine("reapd: this command is not built yet");
        return ExitCodes.Failed;
    }
}
