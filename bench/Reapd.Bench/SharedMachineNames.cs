using System.Security.Cryptography;
using System.Text;

namespace Reapd.Bench;

/// <summary>
/// The names other users' test helpers have on this shared machine: the project's tests build tests/native/NAME.c as
/// artifacts/native/NAME-HASH (HASH: the first 12 hex digits of SHA-256 over the source, the headers of tests/native
/// in ordinal order, and the compiler flags: tests/Reapd.Testing/NativeProgram.cs) and run
/// them at oom_score_adj 1000 in their own memory cgroups. System-wide, a killer could pick one of them over the
/// runner's workload, so every daemon is told to leave them alone: earlyoom and nohang by a name pattern (−300 to
/// their score), reapd by --protect with each name as comm shows it (15 characters). The runner's own programs are
/// built as bench-NAME-HASH and never match.
/// </summary>
internal static class SharedMachineNames
{
    public static readonly string[] Helpers = ["hog", "fuse_stuck", "clone_vm", "pid_at", "vfork_exec", "thread_exit"];

    /// <summary>POSIX ERE matching the helpers' comm (earlyoom --avoid, nohang @BADNESS_ADJ_RE_NAME).</summary>
    public static string Pattern => "^(" + string.Join("|", Helpers) + ")-";

    /// <summary>The helpers' comm names as the tests build them today (no flags, or -pthread).</summary>
    public static IEnumerable<string> CommNames(string repositoryRoot)
    {
        foreach (string name in Helpers)
        {
            string source = Path.Combine(repositoryRoot, "tests", "native", name + ".c");
            if (!File.Exists(source))
            {
                continue;
            }
            byte[] bytes = File.ReadAllBytes(source);
            foreach (string header in Directory.EnumerateFiles(Path.Combine(repositoryRoot, "tests", "native"), "*.h").Order(StringComparer.Ordinal))
            {
                bytes = [.. bytes, .. File.ReadAllBytes(header)];
            }
            foreach (string flags in new[] { "", "-pthread" })
            {
                string hash = Convert.ToHexString(SHA256.HashData([.. bytes, .. Encoding.UTF8.GetBytes(flags)]))[..12];
                string comm = name + "-" + hash;
                yield return comm.Length > 15 ? comm[..15] : comm;
            }
        }
    }
}
