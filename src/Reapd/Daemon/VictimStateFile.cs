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
/// never adopted. Loop thread only.
/// </summary>
internal sealed class VictimStateFile
{
    public const string FileName = "victim";
    private const string Magic = "reapd-victim 1";

    private readonly AtomicSmallFile _file;
    private readonly byte[] _header;
    private readonly byte[] _buffer = new byte[512];
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

    /// <summary>A signal was delivered: the victim, its phase now and when (CLOCK_MONOTONIC ms). Allocation-free.</summary>
    public void Written(VictimId victim, VictimPhase phase, long signalledMs, long heldBytes)
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
        int errno = _file.Replace(_buffer.AsSpan(0, length));
        if (errno != 0)
        {
            Failed(errno);
            return;
        }
        _written = true;
    }

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
        string[] lines = text.Split('\n');
        if (lines[0] != Magic)
        {
            reason = "not a reapd victim file";
            return null;
        }
        foreach (string line in lines.AsSpan(1))
        {
            int equals = line.IndexOf('=', StringComparison.Ordinal);
            if (equals > 0)
            {
                values[line[..equals]] = line[(equals + 1)..];
            }
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
        reason = null;
        return new Adoption(new VictimId((int)pid, (ulong)startTime),
            phaseText == "terminating" ? VictimPhase.Terminating : VictimPhase.Killed, signalledMs, heldBytes);
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

    public readonly record struct Adoption(VictimId Victim, VictimPhase Phase, long SignalledMs, long HeldBytes);
}
