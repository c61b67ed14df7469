using System.Text;
using Reapd.Core.Policy;
using Reapd.Core.Proc;

namespace Reapd.Linux.Proc;

/// <summary>
/// Reads what rules look at beyond stat and status — the command line, the exe link, the cgroup path — into buffers
/// allocated once, and only what the rule set needs (<see cref="RuleInputs"/>): without rules on them, a scan reads
/// no more files than before. Bytes are decoded into char buffers for the patterns (invalid UTF-8 becomes U+FFFD),
/// without allocating. A file that cannot be read (the process exited, exe of another user's process without ptrace
/// access, an empty command line: a process mid-exec) leaves that attribute absent: a prefer, avoid or ignore rule on
/// it does not apply and a protect rule on it fails closed (RuleSet.Apply); the process itself is still ranked.
/// Not thread-safe; the facts returned are valid until the next read.
/// </summary>
public sealed class ProcessAttributesReader
{
    // A cgroup path or an executable path: PATH_MAX.
    private const int PathBytes = 4096;

    private readonly ProcessReader _reader;
    private readonly byte[] _cmdlineBytes = new byte[ProcessFacts.MaxCmdlineBytes];
    private readonly char[] _cmdlineChars = new char[ProcessFacts.MaxCmdlineBytes];
    private readonly byte[] _exeBytes = new byte[PathBytes];
    private readonly char[] _exeChars = new char[PathBytes];
    private readonly byte[] _cgroupBytes = new byte[PathBytes * 2];
    private readonly char[] _cgroupChars = new char[PathBytes * 2];

    public ProcessAttributesReader(ProcessReader reader)
    {
        _reader = reader;
    }

    /// <summary>The facts for <paramref name="pid"/>: comm and uid from what the scan already read, the rest as needed.</summary>
    public ProcessFacts Read(int pid, in ProcStat stat, in ProcStatus status, RuleInputs needs)
    {
        int cmdlineChars = 0, exeChars = 0, cgroupChars = 0;
        bool hasCmdline = false, hasExe = false, hasCgroup = false;
        // A kernel thread has no command line, executable or user memory cgroup worth matching; rules never rank it.
        if (!stat.IsKernelThread)
        {
            if ((needs & RuleInputs.Cmdline) != 0)
            {
                hasCmdline = TryReadCmdline(pid, out cmdlineChars);
            }
            if ((needs & RuleInputs.Exe) != 0)
            {
                hasExe = TryReadExe(pid, out exeChars);
            }
            if ((needs & RuleInputs.Cgroup) != 0)
            {
                hasCgroup = TryReadCgroup(pid, out cgroupChars);
            }
        }
        return new ProcessFacts
        {
            Comm = stat.Name.Utf8,
            Uid = status.RealUid,
            HasUid = status.Tgid != 0,
            Cmdline = _cmdlineChars.AsSpan(0, cmdlineChars),
            HasCmdline = hasCmdline,
            Exe = _exeChars.AsSpan(0, exeChars),
            HasExe = hasExe,
            Cgroup = _cgroupChars.AsSpan(0, cgroupChars),
            HasCgroup = hasCgroup,
        };
    }

    private bool TryReadCmdline(int pid, out int chars)
    {
        chars = 0;
        // Empty for a process with an mm only while it is between exec's switch to the new mm and the setup of its
        // arguments (arg_end still 0, fs/proc/base.c get_mm_cmdline): not a command line, an unknown one.
        if (_reader.TryReadCmdline(pid, _cmdlineBytes, out int length) != ProcReadOutcome.Ok || length == 0)
        {
            return false;
        }
        // "a\0b\0" is "a b": arguments joined by single spaces, the final NUL dropped (a cut-off one has none).
        Span<byte> raw = _cmdlineBytes.AsSpan(0, length);
        if (!raw.IsEmpty && raw[^1] == 0)
        {
            raw = raw[..^1];
        }
        raw.Replace((byte)0, (byte)' ');
        chars = Decode(raw, _cmdlineChars);
        return true;
    }

    private unsafe bool TryReadExe(int pid, out int chars)
    {
        chars = 0;
        Span<byte> path = stackalloc byte[KernelFile.PathBufferBytes];
        KernelFile.PidPath(path, _reader.RootBytes, pid, "exe"u8);
        nint length;
        fixed (byte* pathZ = path)
        fixed (byte* target = _exeBytes)
        {
            length = Interop.readlink(pathZ, target, (nuint)_exeBytes.Length);
        }
        // ENOENT for a kernel thread or a zombie, EACCES without ptrace read access: absent, not an error.
        if (length <= 0 || length == _exeBytes.Length)
        {
            return false;
        }
        chars = Decode(_exeBytes.AsSpan(0, (int)length), _exeChars);
        return true;
    }

    private bool TryReadCgroup(int pid, out int chars)
    {
        chars = 0;
        if (_reader.TryReadCgroup(pid, _cgroupBytes, out int length) != ProcReadOutcome.Ok)
        {
            return false;
        }
        ReadOnlySpan<byte> text = _cgroupBytes.AsSpan(0, length);
        // The v1 memory controller's group is the one whose limit applies where it exists (a hybrid machine);
        // otherwise the unified path.
        if (!ProcCgroupParser.TryFindV1(text, "memory"u8, out ReadOnlySpan<byte> path)
            && !ProcCgroupParser.TryFindUnified(text, out path))
        {
            return false;
        }
        chars = Decode(path, _cgroupChars);
        return true;
    }

    private static int Decode(ReadOnlySpan<byte> utf8, Span<char> destination) =>
        // At most one char per byte for UTF-8, so the destination (as long as the byte buffer) always suffices.
        Encoding.UTF8.GetChars(utf8, destination);
}
