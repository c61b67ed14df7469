namespace Reapd.Core.Proc;

/// <summary>
/// Parses /proc/PID/stat. The comm (field 2) may hold spaces, '(' , ')' and newlines, so it is the text between the
/// first '(' and the LAST ')' (fs/proc/array.c do_task_stat prints the comm raw); the other fields follow, one space
/// apart.
/// </summary>
public static class ProcStatParser
{
    public static bool TryParse(ReadOnlySpan<byte> text, out ProcStat stat)
    {
        stat = default;
        int open = text.IndexOf((byte)'(');
        int close = text.LastIndexOf((byte)')');
        if (open < 1 || close < open)
        {
            return false;
        }
        // A pid is positive: the digits' parser also takes "-4" and "0", and a negative pid is a process group to kill(2).
        if (!Ascii.TryParseInt32(text[..open].TrimEnd((byte)' '), out stat.Pid) || stat.Pid <= 0)
        {
            return false;
        }
        stat.Name = new ProcessName(text[(open + 1)..close]);

        // After ") " comes field 3. Walk the fields once, keeping the ones needed.
        ReadOnlySpan<byte> rest = text[(close + 1)..];
        int field = 2;
        ulong startStack = 0, startBrk = 0, argStart = 0, envStart = 0;
        while (true)
        {
            rest = rest.TrimStart((byte)' ');
            if (rest.IsEmpty)
            {
                break;
            }
            field++;
            int end = rest.IndexOfAny((byte)' ', (byte)'\n');
            ReadOnlySpan<byte> value = end < 0 ? rest : rest[..end];
            rest = end < 0 ? [] : rest[(end + 1)..];
            bool ok = field switch
            {
                3 => TryParseState(value, out stat.State),
                4 => Ascii.TryParseInt32(value, out stat.ParentPid),
                5 => Ascii.TryParseInt32(value, out stat.ProcessGroupId),
                9 => Ascii.TryParseUInt32(value, out stat.Flags),
                20 => Ascii.TryParseInt32(value, out stat.NumThreads),
                22 => Ascii.TryParseUInt64(value, out stat.StartTimeTicks),
                23 => Ascii.TryParseUInt64(value, out stat.VsizeBytes),
                24 => Ascii.TryParseInt64(value, out stat.RssPages),
                28 => Ascii.TryParseUInt64(value, out startStack),
                47 => Ascii.TryParseUInt64(value, out startBrk),
                48 => Ascii.TryParseUInt64(value, out argStart),
                50 => Ascii.TryParseUInt64(value, out envStart),
                _ => true,
            };
            if (!ok)
            {
                return false;
            }
            if (field == 4 && stat.ParentPid < 0)
            {
                return false; // 0 for init and kthreadd, never negative
            }
            if (field == 50)
            {
                break;
            }
        }
        // Fields past 24 are optional: older kernels end earlier, and the layout then stays unknown.
        stat.Layout = field >= 50 ? new MmLayout(startStack, startBrk, argStart, envStart) : default;
        return field >= 24;
    }

    private static bool TryParseState(ReadOnlySpan<byte> value, out byte state)
    {
        state = value.Length == 1 ? value[0] : (byte)0;
        return state != 0;
    }
}
