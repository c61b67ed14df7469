using System.Globalization;
using System.Text;
using Reapd.Core.Cgroups;
using Reapd.Core.Proc;

namespace Reapd.Linux.Cgroups;

/// <summary>
/// Reads a unit cgroup's figures for the cgroup-first choice from the cgroup2 hierarchy mounted at the given directory:
/// memory.current, memory.min, memory.low, memory.pressure (some avg10), and systemd's ManagedOOMPreference
/// attributes. Each read is one small file; a file that is missing (no memory controller there) or a cgroup that is
/// gone leaves the figure at 0, an expected race. Allocates: it runs once per choice, not in the quiet cycle.
/// </summary>
public sealed class UnitGroupReader
{
    private readonly string _v2Mount;

    public UnitGroupReader(string v2Mount) => _v2Mount = v2Mount;

    /// <summary>
    /// The directory of <paramref name="cgroupPath"/> below the mount. A path outside reapd's cgroup namespace ("/../x",
    /// docs/cgroups.md) would leave the mount: it gets a name that exists nowhere, so every figure reads as 0.
    /// </summary>
    public string Directory(string cgroupPath) => IsOutsideNamespace(cgroupPath)
        ? Path.Combine(_v2Mount, "(outside the cgroup namespace)")
        : Path.Combine(_v2Mount, cgroupPath.TrimStart('/'));

    /// <summary>Does the path climb out of the reader's cgroup namespace ("/../a")?</summary>
    public static bool IsOutsideNamespace(string cgroupPath) =>
        cgroupPath == "/.." || cgroupPath.StartsWith("/../", StringComparison.Ordinal) || cgroupPath.Contains("/../", StringComparison.Ordinal) || cgroupPath.EndsWith("/..", StringComparison.Ordinal);

    /// <summary>Fills <paramref name="group"/>'s usage, protection, pressure and preference.</summary>
    public void Read(UnitGroup group)
    {
        string directory = Directory(group.Path);
        group.UsageBytes = ReadBytes(directory, "memory.current");
        group.MinBytes = ReadBytes(directory, "memory.min");
        group.LowBytes = ReadBytes(directory, "memory.low");
        group.PressureSomeAvg10 = TryReadText(Path.Combine(directory, "memory.pressure"), out byte[] text) && PressureParser.TryParse(text, out Pressure pressure)
            ? pressure.Some.Avg10Percent
            : 0;
        group.Preference = PreferenceOf(directory);
    }

    /// <summary>
    /// A kill scope's member check: a process whose unit cgroup says user.oomd_omit is never touched, not even as a
    /// bystander of a wider scope. None when it may be killed (or cannot be read: it is gone).
    /// </summary>
    public Core.Selection.ExclusionReason MemberExclusion(int pid, Proc.ProcessReader reader)
    {
        Span<byte> text = stackalloc byte[4096];
        if (reader.TryReadCgroup(pid, text, out int length) != Proc.ProcReadOutcome.Ok
            || !ProcCgroupParser.TryFindUnified(text[..length], out ReadOnlySpan<byte> found))
        {
            return Core.Selection.ExclusionReason.None;
        }
        string unit = UnitCgroups.UnitOf(Encoding.UTF8.GetString(found));
        return PreferenceOf(Directory(unit)) == OomdPreference.Omit ? Core.Selection.ExclusionReason.UnitOmitted : Core.Selection.ExclusionReason.None;
    }

    /// <summary>A cgroup's memory.min (0 when unset or unreadable), e.g. a container's under the kubelet's MemoryQoS.</summary>
    public long MinBytesOf(string cgroupPath) => ReadBytes(Directory(cgroupPath), "memory.min");

    /// <summary>
    /// systemd's ManagedOOMPreference= for the cgroup directory: user.oomd_omit wins over user.oomd_avoid, as in
    /// systemd-oomd. Trusted only when the cgroup directory is owned by root: the owner of a delegated cgroup (a user's
    /// own services) may write user.* attributes on it and so could exempt itself otherwise. systemd-oomd also accepts
    /// an attribute whose cgroup has the same owner as the monitored ancestor; reapd guards the whole machine, whose
    /// ancestor is root's, so root ownership is the one rule.
    /// </summary>
    public static OomdPreference PreferenceOf(string directory)
    {
        if (!TryOwner(directory, out uint uid) || uid != 0)
        {
            return OomdPreference.None;
        }
        if (XattrIsTrue(directory, "user.oomd_omit"))
        {
            return OomdPreference.Omit;
        }
        return XattrIsTrue(directory, "user.oomd_avoid") ? OomdPreference.Avoid : OomdPreference.None;
    }

    private static long ReadBytes(string directory, string file) =>
        TryReadText(Path.Combine(directory, file), out byte[] text) && CgroupValueParser.TryParseBytes(text, out long bytes) && bytes != long.MaxValue ? bytes : 0;

    private static bool TryReadText(string path, out byte[] text)
    {
        try
        {
            text = File.ReadAllBytes(path);
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            text = [];
            return false;
        }
    }

    /// <summary>systemd writes "1"; it reads the value as a boolean (1, yes, true, on).</summary>
    private static unsafe bool XattrIsTrue(string path, string name)
    {
        byte[] pathZ = Encoding.UTF8.GetBytes(path + "\0");
        byte[] nameZ = Encoding.UTF8.GetBytes(name + "\0");
        byte* value = stackalloc byte[16];
        nint length;
        fixed (byte* p = pathZ)
        fixed (byte* n = nameZ)
        {
            length = Interop.getxattr(p, n, value, 16);
        }
        if (length <= 0)
        {
            return false; // ENODATA: not set; ENOTSUP: no xattrs on this cgroupfs (before 5.7)
        }
        string text = Encoding.ASCII.GetString(value, (int)length).Trim().ToLowerInvariant();
        return text is "1" or "yes" or "y" or "true" or "t" or "on";
    }

    private static unsafe bool TryOwner(string path, out uint uid)
    {
        byte* buffer = stackalloc byte[Interop.StatxBytes];
        byte[] pathZ = Encoding.UTF8.GetBytes(path + "\0");
        int result;
        fixed (byte* p = pathZ)
        {
            result = Interop.statx(Interop.AT_FDCWD, p, 0, Interop.STATX_UID, buffer);
        }
        uid = result == 0 ? *(uint*)(buffer + Interop.StatxUidOffset) : 0;
        return result == 0;
    }

    /// <summary>For messages: "12.3 MiB".</summary>
    public static string Mib(long bytes) => (bytes / 1048576.0).ToString("0.0", CultureInfo.InvariantCulture) + " MiB";
}
