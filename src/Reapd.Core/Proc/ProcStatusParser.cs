using System.Buffers.Text;

namespace Reapd.Core.Proc;

/// <summary>Parses /proc/PID/status ("Key:\tvalue" lines, sizes as "N kB").</summary>
public static class ProcStatusParser
{
    public static bool TryParse(ReadOnlySpan<byte> text, out ProcStatus status)
    {
        status = default;
        bool sawTgid = false;
        while (!text.IsEmpty)
        {
            ReadOnlySpan<byte> line = Ascii.NextLine(ref text);
            if (!Ascii.TrySplitKeyValue(line, out var key, out var value))
            {
                continue;
            }
            bool ok = true;
            // Keys in the order the kernel prints them (fs/proc/array.c proc_pid_status, task_mmu.c task_mem).
            if (key.SequenceEqual("State"u8))
            {
                status.State = value.IsEmpty ? (byte)0 : value[0];
            }
            else if (key.SequenceEqual("Tgid"u8))
            {
                // A thread group id is a pid: positive (the digits' parser also takes "0" and "-4").
                ok = Ascii.TryParseInt32(value, out status.Tgid) && status.Tgid > 0;
                sawTgid = ok;
            }
            else if (key.SequenceEqual("PPid"u8))
            {
                ok = Ascii.TryParseInt32(value, out status.ParentPid);
            }
            else if (key.SequenceEqual("Uid"u8))
            {
                // "real effective saved fs", tab-separated: the first is the real uid.
                int tab = value.IndexOf((byte)'\t');
                ok = Ascii.TryParseUInt32(tab < 0 ? value : value[..tab], out status.RealUid);
            }
            else if (key.SequenceEqual("VmSize"u8))
            {
                ok = Ascii.TryParseKiB(value, out status.VmSizeKiB);
            }
            else if (key.SequenceEqual("VmRSS"u8))
            {
                ok = Ascii.TryParseKiB(value, out status.VmRssKiB);
                status.HasMm = ok;
            }
            else if (key.SequenceEqual("RssAnon"u8))
            {
                ok = Ascii.TryParseKiB(value, out status.RssAnonKiB);
            }
            else if (key.SequenceEqual("RssFile"u8))
            {
                ok = Ascii.TryParseKiB(value, out status.RssFileKiB);
            }
            else if (key.SequenceEqual("RssShmem"u8))
            {
                ok = Ascii.TryParseKiB(value, out status.RssShmemKiB);
            }
            else if (key.SequenceEqual("VmPTE"u8))
            {
                ok = Ascii.TryParseKiB(value, out status.VmPteKiB);
            }
            else if (key.SequenceEqual("VmSwap"u8))
            {
                ok = Ascii.TryParseKiB(value, out status.VmSwapKiB);
            }
            else if (key.SequenceEqual("CoreDumping"u8))
            {
                status.CoreDumping = value.SequenceEqual("1"u8);
            }
            else if (key.SequenceEqual("Threads"u8))
            {
                ok = Ascii.TryParseInt32(value, out status.Threads);
            }
            else if (key.SequenceEqual("CapEff"u8))
            {
                ok = TryParseHex(value, out status.CapEff);
            }
            if (!ok)
            {
                return false;
            }
        }
        return sawTgid;
    }

    // Utf8Parser, not ulong.TryParse with a culture: the latter allocated 1184 bytes on its first call (the number
    // format's lazy set-up), found by the fuzz harness's allocation check; this one allocates nothing, ever.
    private static bool TryParseHex(ReadOnlySpan<byte> value, out ulong bits)
    {
        return Utf8Parser.TryParse(value, out bits, out int used, 'x') && used == value.Length && !value.IsEmpty;
    }
}
