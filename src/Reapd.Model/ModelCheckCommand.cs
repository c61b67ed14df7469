namespace Reapd.Model;

/// <summary>Entry point of 'reapd model-check'; returns a process exit code.</summary>
public static class ModelCheckCommand
{
    public static int Run(string[] args, TextWriter stdout, TextWriter stderr)
    {
        stderr.WriteLine("reapd: model-check is not built yet");
        return 1;
    }
}
