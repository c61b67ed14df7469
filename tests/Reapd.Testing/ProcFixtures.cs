namespace Reapd.Testing;

/// <summary>
/// The captured /proc tree in tests/fixtures/proc (made by its capture.sh on the test machine, Linux 6.18): a fake
/// /proc root for readers and for `reapd ls --proc-root`, and the pids of the processes in it.
/// </summary>
public static class ProcFixtures
{
    public static string Root => Path.Combine(NativeProgram.RepositoryRoot, "tests", "fixtures", "proc");

    public const int Init = 1;
    public const int KernelThread = 2;
    /// <summary>comm "a) b".</summary>
    public const int NameWithParenAndSpace = 7693;
    /// <summary>comm "a)))b".</summary>
    public const int NameWithParens = 7694;
    /// <summary>comm "x\ny".</summary>
    public const int NameWithNewline = 7695;
    /// <summary>oom_score_adj -1000 (the one edited value: see capture.sh).</summary>
    public const int OomScoreAdjMin = 7697;
    /// <summary>A zombie: State Z, no Vm* lines in status, empty cmdline.</summary>
    public const int Zombie = 7699;
    /// <summary>hog --mib 64 at oom_score_adj 1000: the only real candidate worth killing.</summary>
    public const int Hog = 7705;

    public static byte[] Read(int pid, string file) => File.ReadAllBytes(Path.Combine(Root, pid.ToString(System.Globalization.CultureInfo.InvariantCulture), file));

    public static byte[] Read(string file) => File.ReadAllBytes(Path.Combine(Root, file));
}
