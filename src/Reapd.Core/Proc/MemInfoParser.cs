namespace Reapd.Core.Proc;

/// <summary>Parses /proc/meminfo ("Key:   N kB" lines).</summary>
public static class MemInfoParser
{
    /// <summary>False when the text lacks MemTotal or MemAvailable (kernels before 3.14) or a value is malformed.</summary>
    public static bool TryParse(ReadOnlySpan<byte> text, out MemInfo info)
    {
        info = default;
        bool sawTotal = false, sawAvailable = false;
        while (!text.IsEmpty)
        {
            ReadOnlySpan<byte> line = Ascii.NextLine(ref text);
            if (!Ascii.TrySplitKeyValue(line, out var key, out var value))
            {
                continue;
            }
            bool ok = true;
            if (key.SequenceEqual("MemTotal"u8))
            {
                ok = sawTotal = Ascii.TryParseKiB(value, out info.MemTotalKiB);
            }
            else if (key.SequenceEqual("MemFree"u8))
            {
                ok = Ascii.TryParseKiB(value, out info.MemFreeKiB);
            }
            else if (key.SequenceEqual("MemAvailable"u8))
            {
                ok = sawAvailable = Ascii.TryParseKiB(value, out info.MemAvailableKiB);
            }
            else if (key.SequenceEqual("Cached"u8))
            {
                ok = Ascii.TryParseKiB(value, out info.CachedKiB);
            }
            else if (key.SequenceEqual("Shmem"u8))
            {
                ok = Ascii.TryParseKiB(value, out info.ShmemKiB);
            }
            else if (key.SequenceEqual("SwapTotal"u8))
            {
                ok = Ascii.TryParseKiB(value, out info.SwapTotalKiB);
            }
            else if (key.SequenceEqual("SwapFree"u8))
            {
                ok = Ascii.TryParseKiB(value, out info.SwapFreeKiB);
            }
            else if (key.SequenceEqual("Active(anon)"u8))
            {
                ok = Ascii.TryParseKiB(value, out info.ActiveAnonKiB);
            }
            else if (key.SequenceEqual("Inactive(anon)"u8))
            {
                ok = Ascii.TryParseKiB(value, out info.InactiveAnonKiB);
            }
            if (!ok)
            {
                return false;
            }
        }
        return sawTotal && sawAvailable;
    }
}
