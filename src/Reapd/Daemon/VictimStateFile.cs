using System.Globalization;
using System.Text;
using System.Text.Unicode;
using Reapd.Core.Daemon;
using Reapd.Linux.Proc;

namespace Reapd.Daemon;

/// <summary>
/// The victim in flight, kept in a small file (DIR/victim, default /run/reapd, the unit's RuntimeDirectory) so that an
/// instance started while a victim's memory is still coming back — reapd crashed, was killed, was restarted — adopts
/// it instead of choosing a second one (docs/reliability.md, "Signals and restarts"). Written atomically (a temporary
/// file renamed over it) only when a signal was delivered and removed when the victim is released: two syscall
/// rounds per kill on a tmpfs, from a preallocated buffer, nothing per quiet cycle. The boot it was written on
/// (/proc/sys/kernel/random/boot_id) and the scope are in it: a file from another boot, or for another scope, is
/// never adopted. With the victim, the processes killed with it and still awaited are listed (`sharer=PID START
/// STACK BRK ARG ENV` for its mm sharers, with the shared mm's layout when the search found them, and `member=PID
/// START` for a wider kill scope's members, after `kill_scope=` naming that scope), so that the adopting instance waits
/// for them too (and, after a SIGTERM, SIGKILLs the sharers with the victim once it has confirmed that they still share
/// the mm: kcmp, or the recorded layout when the victim has left its mm). Loop thread only.
/// </summary>
internal sealed class VictimStateFile
{
    public const string FileName = "victim";
    private const string Magic = "reapd-victim 1";

    private readonly AtomicSmallFile _file;
    private readonly byte[] _header;
    // The header and victim take about 250 bytes; each member up to 38, each sharer up to 120: room for dozens.
    private readonly byte[] _buffer = new byte[4096];
    private bool _written;

    private VictimStateFile(string path, string bootId, string scope)
    {
        _file = new AtomicSmallFile(path);
        BootId = bootId;
        Scope = scope;
        _header = Encoding.UTF8.GetBytes($"{Magic}\nboot_id={bootId}\nscope={scope}\nwritten_by={Environment.ProcessId}\n");
    }

    public string Path => _file.Path;

    public string BootId { get; }

    public string Scope { get; }

    /// <summary>Failed writes and removals since the start (a warning is written for the first of each streak).</summary>
    public int Failures { get; private set; }

    public int LastErrno { get; private set; }

    /// <summary>The file for <paramref name="config"/>'s state directory, or null with the reason (off, no such directory, no boot id).</summary>
    public static VictimStateFile? TryOpen(DaemonConfig config, string scope, out string description)
    {
        if (config.StateDirectory is not string directory)
        {
            description = "off";
            return null;
        }
        if (config.DryRun)
        {
            description = "off (dry run: nothing is ever in flight)";
            return null;
        }
        if (!Directory.Exists(directory))
        {
            description = $"off ({directory} does not exist)";
            return null;
        }
        string bootId;
        try
        {
            bootId = File.ReadAllText("/proc/sys/kernel/random/boot_id").Trim();
        }
        catch (IOException e)
        {
            description = $"off (no boot id: {e.Message})";
            return null;
        }
        string path = System.IO.Path.Combine(directory, FileName);
        description = path;
        return new VictimStateFile(path, bootId, scope);
    }

    /// <summary>
    /// A signal was delivered: the victim, its phase now and when (CLOCK_MONOTONIC ms), and the processes that go with it:
    /// <paramref name="held"/>'s mm sharers (those not found gone or no longer sharing) and <paramref name="scope"/>'s
    /// SIGKILLed members. Those that do not fit the buffer are left out (counted in `unlisted=`). Allocation-free.
    /// </summary>
    public void Written(VictimId victim, VictimPhase phase, long signalledMs, long heldBytes, Linux.Kill.Victim? held = null,
        Linux.Kill.ScopeKill? scope = null)
    {
        _header.CopyTo(_buffer, 0);
        ReadOnlySpan<byte> phaseText = phase == VictimPhase.Terminating ? "terminating"u8 : "killed"u8;
        if (!Utf8.TryWrite(_buffer.AsSpan(_header.Length), CultureInfo.InvariantCulture,
            $"pid={victim.Pid}\nstart_time={victim.StartTimeTicks}\nsignalled_mono_ms={signalledMs}\nheld_bytes={heldBytes}\nphase=", out int length)
            || !phaseText.TryCopyTo(_buffer.AsSpan(_header.Length + length)))
        {
            Failed(75); // EOVERFLOW: cannot happen with these fields, counted all the same
            return;
        }
        length += _header.Length + phaseText.Length;
        _buffer[length++] = (byte)'\n';
        int unlisted = 0;
        if (held is not null)
        {
            foreach (Linux.Kill.Sharer sharer in held.Sharers)
            {
                if (sharer.KillOutcome is null or Linux.Kill.SignalOutcome.Sent)
                {
                    unlisted += Listed("sharer="u8, sharer.Pid, sharer.StartTimeTicks, ref length, sharer.LayoutWhenFound) ? 0 : 1;
                }
            }
        }
        if (scope is not null)
        {
            ReadOnlySpan<byte> scopeName = KillScopeName(scope.Scope);
            if ("kill_scope="u8.TryCopyTo(_buffer.AsSpan(length)) && scopeName.TryCopyTo(_buffer.AsSpan(length + 11))
                && length + 11 + scopeName.Length < _buffer.Length)
            {
                length += 11 + scopeName.Length;
                _buffer[length++] = (byte)'\n';
            }
            foreach (Linux.Kill.ScopeMember member in scope.Members)
            {
                if (member.KillOutcome == Linux.Kill.SignalOutcome.Sent)
                {
                    unlisted += Listed("member="u8, member.Pid, member.StartTimeTicks, ref length) ? 0 : 1;
                }
            }
        }
        if (unlisted > 0 && Utf8.TryWrite(_buffer.AsSpan(length), CultureInfo.InvariantCulture, $"unlisted={unlisted}\n", out int written))
        {
            length += written;
        }
        int errno = _file.Replace(_buffer.AsSpan(0, length));
        if (errno != 0)
        {
            Failed(errno);
            return;
        }
        _written = true;
    }

    private bool Listed(ReadOnlySpan<byte> key, int pid, ulong startTimeTicks, ref int length, Core.Proc.MmLayout? layout = null)
    {
        // Room is kept for the unlisted= line.
        Span<byte> free = _buffer.AsSpan(length, Math.Max(0, _buffer.Length - length - 32));
        int written = 0;
        bool fits = layout is Core.Proc.MmLayout l
            ? key.TryCopyTo(free) && Utf8.TryWrite(free[key.Length..], CultureInfo.InvariantCulture,
                $"{pid} {startTimeTicks} {l.StartStack} {l.StartBrk} {l.ArgStart} {l.EnvStart}\n", out written)
            : key.TryCopyTo(free) && Utf8.TryWrite(free[key.Length..], CultureInfo.InvariantCulture, $"{pid} {startTimeTicks}\n", out written);
        if (!fits)
        {
            return false;
        }
        length += key.Length + written;
        return true;
    }

    private static ReadOnlySpan<byte> KillScopeName(Core.Policy.KillScope scope) => scope switch
    {
        Core.Policy.KillScope.ProcessGroup => "process-group"u8,
        Core.Policy.KillScope.Subtree => "subtree"u8,
        Core.Policy.KillScope.Cgroup => "cgroup"u8,
        _ => "process"u8,
    };

    /// <summary>The victim was released (settled, dropped): nothing is in flight any more.</summary>
    public void Cleared()
    {
        if (!_written)
        {
            return;
        }
        _written = false;
        int errno = _file.Delete();
        if (errno != 0)
        {
            Failed(errno);
        }
    }

    private void Failed(int errno)
    {
        Failures++;
        LastErrno = errno;
    }

    /// <summary>What the file says, when it names a victim this instance may adopt; else null and why not (null reason: no file).</summary>
    public Adoption? TryRead(out string? reason)
    {
        string text;
        try
        {
            text = File.ReadAllText(Path);
        }
        catch (FileNotFoundException)
        {
            reason = null;
            return null;
        }
        catch (IOException e)
        {
            reason = $"unreadable: {e.Message}";
            return null;
        }
        catch (UnauthorizedAccessException e)
        {
            reason = $"unreadable: {e.Message}";
            return null;
        }
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        var sharers = new List<(int, ulong, Core.Proc.MmLayout)>();
        var members = new List<(int, ulong)>();
        string[] lines = text.Split('\n');
        if (lines[0] != Magic)
        {
            reason = "not a reapd victim file";
            return null;
        }
        foreach (string line in lines.AsSpan(1))
        {
            int equals = line.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0)
            {
                continue;
            }
            string key = line[..equals];
            if (key is "sharer" or "member")
            {
                if (!TryProcess(line[(equals + 1)..], key == "sharer", out (int Pid, ulong StartTimeTicks) process, out Core.Proc.MmLayout layout))
                {
                    reason = "malformed";
                    return null;
                }
                if (key == "sharer")
                {
                    sharers.Add((process.Pid, process.StartTimeTicks, layout));
                }
                else
                {
                    members.Add(process);
                }
                continue;
            }
            values[key] = line[(equals + 1)..];
        }
        if (!values.TryGetValue("boot_id", out string? boot) || boot != BootId)
        {
            reason = $"written on another boot ({boot ?? "none"}, this one is {BootId})";
            return null;
        }
        if (!values.TryGetValue("scope", out string? scope) || scope != Scope)
        {
            reason = $"written for another scope ({scope ?? "none"})";
            return null;
        }
        if (!Int(values, "pid", out long pid) || pid <= 0 || pid > int.MaxValue || !Int(values, "start_time", out long startTime) || startTime < 0
            || !Int(values, "signalled_mono_ms", out long signalledMs) || !Int(values, "held_bytes", out long heldBytes)
            || !values.TryGetValue("phase", out string? phaseText) || phaseText is not ("terminating" or "killed"))
        {
            reason = "malformed";
            return null;
        }
        Core.Policy.KillScope? killScope = null;
        if (values.TryGetValue("kill_scope", out string? killScopeText))
        {
            int index = Array.IndexOf(Config.ConfigKeys.KillScopes, killScopeText);
            if (index < 0)
            {
                reason = "malformed";
                return null;
            }
            killScope = (Core.Policy.KillScope)index;
        }
        reason = null;
        return new Adoption(new VictimId((int)pid, (ulong)startTime),
            phaseText == "terminating" ? VictimPhase.Terminating : VictimPhase.Killed, signalledMs, heldBytes, sharers, members, killScope);
    }

    /// <summary>The file's victim was adopted: the file stays until that victim is released, then goes.</summary>
    public void Adopted() => _written = true;

    /// <summary>Removes a file that was not adopted (stale: its victim is gone, or it is from another boot).</summary>
    public void Discard()
    {
        _written = true;
        Cleared();
    }

    private static bool Int(Dictionary<string, string> values, string key, out long value)
    {
        value = 0;
        return values.TryGetValue(key, out string? text) && long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out value);
    }

    /// <summary>`PID START`, for a sharer optionally followed by the four layout numbers (a file written before they were recorded has none: the layout is then unknown).</summary>
    private static bool TryProcess(string text, bool withLayout, out (int Pid, ulong StartTimeTicks) process, out Core.Proc.MmLayout layout)
    {
        process = default;
        layout = default;
        string[] parts = text.Split(' ');
        if (!(parts.Length == 2 || (withLayout && parts.Length == 6)) || !int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out int pid) || pid <= 0
            || !ulong.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out ulong start))
        {
            return false;
        }
        if (parts.Length == 6)
        {
            Span<ulong> numbers = stackalloc ulong[4];
            for (int i = 0; i < 4; i++)
            {
                if (!ulong.TryParse(parts[2 + i], NumberStyles.None, CultureInfo.InvariantCulture, out numbers[i]))
                {
                    return false;
                }
            }
            layout = new Core.Proc.MmLayout(numbers[0], numbers[1], numbers[2], numbers[3]);
        }
        process = (pid, start);
        return true;
    }

    /// <summary>
    /// What a state file names: the victim, the sharers (with the shared mm's layout when they were found; unknown in an
    /// older file) and scope members that were killed (or, after a SIGTERM, found) with it, and the kill scope those
    /// members came from (null when the file does not say).
    /// </summary>
    public readonly record struct Adoption(VictimId Victim, VictimPhase Phase, long SignalledMs, long HeldBytes,
        IReadOnlyList<(int Pid, ulong StartTimeTicks, Core.Proc.MmLayout LayoutWhenFound)> Sharers,
        IReadOnlyList<(int Pid, ulong StartTimeTicks)> Members, Core.Policy.KillScope? KillScope = null);
}
