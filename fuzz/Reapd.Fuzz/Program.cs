using Reapd.Fuzz;
using SharpFuzz;

// reapd-fuzz TARGET           run under afl-fuzz (SharpFuzz's fork server), one input per execution
// reapd-fuzz TARGET FILE...   run the target once on each file (reproduce a crash, check a corpus)
if (args.Length == 0 || (Array.IndexOf(ParserTargets.Names, args[0]) < 0 && args[0] != ConfigTarget.Name))
{
    Console.Error.WriteLine($"usage: reapd-fuzz TARGET [FILE...]; targets: {string.Join(' ', ParserTargets.Names)} {ConfigTarget.Name}");
    return 2;
}
string target = args[0];
if (args.Length > 1)
{
    foreach (string file in args[1..])
    {
        Run(target, File.ReadAllBytes(file));
        Console.WriteLine($"{file}: ok");
    }
    return 0;
}
// The input buffer is reused: the parsers must not keep what they are given.
byte[] buffer = new byte[1 << 20];
Fuzzer.OutOfProcess.Run(stream =>
{
    int length = 0;
    int read;
    while (length < buffer.Length && (read = stream.Read(buffer, length, buffer.Length - length)) > 0)
    {
        length += read;
    }
    Run(target, buffer.AsSpan(0, length));
});
return 0;

static void Run(string target, ReadOnlySpan<byte> input)
{
    if (target == ConfigTarget.Name)
    {
        ConfigTarget.Run(input);
        return;
    }
    ParserTargets.TryRun(target, input);
}
