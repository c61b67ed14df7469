using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;

namespace Reapd.Linux.Sensors;

/// <summary>
/// What reapd does to itself before guarding anything: lock its memory so it never waits on a major fault under
/// the pressure it answers; lower its own oom_score_adj so the kernel takes it last; raise its CPU priority so a
/// starved machine still runs the reaper (docs/kernel.md D.2). Each step is best effort and reported, never fatal.
/// </summary>
public static partial class SelfProtection
{
    /// <summary>
    /// -900, not -1000: the kernel then practically never picks reapd (its badness clamps to 1 page while anything
    /// else holds memory), yet a reapd that itself ran away with most of memory can still be killed; -1000 would
    /// make a leaking reapd the one process nothing can stop. systemd-oomd makes the same choice.
    /// </summary>
    public const int OwnOomScoreAdj = -900;

    /// <summary>
    /// Before any thread of reapd's starts: no further malloc arena is made, so reapd's threads malloc from glibc's main
    /// arena (or the one arena a runtime thread made before Main, which stays and is shared). By default glibc gives a
    /// thread that finds the main arena busy an arena of its own (up to eight per core), each a 132 KiB mapping of
    /// which a few pages stay resident — some 30 KiB with reapd's threads (docs/reliability.md, "The hot path
    /// packed"). The runtime mallocs rarely, none of it in the quiet cycle, so the threads never wait on one another
    /// for it. Returns whether libc took the setting (glibc always does).
    /// </summary>
    public static bool ShareOneMallocArena() => Interop.mallopt(Interop.M_ARENA_MAX, 1) == 1;

    /// <summary>
    /// mlockall(MCL_CURRENT|MCL_FUTURE|MCL_ONFAULT), retried without MCL_ONFAULT (before 4.4). Called after the warm-up
    /// (<see cref="TrimToHotPath"/> before it): MCL_CURRENT with MCL_ONFAULT locks exactly the pages mapped now — the
    /// ones the warm-up ran and read — and MCL_FUTURE locks every page faulted in later the moment it is. Returns what
    /// was locked, or why not.
    /// </summary>
    public static string LockMemory()
    {
        if (Interop.mlockall(Interop.MCL_CURRENT | Interop.MCL_FUTURE | Interop.MCL_ONFAULT) == 0)
        {
            return "locked (current, future, on fault); " + DescribeResidentCode();
        }
        Interop.Errno first = Interop.LastErrno;
        if (Interop.mlockall(Interop.MCL_CURRENT | Interop.MCL_FUTURE) != 0)
        {
            return $"not locked: {Interop.LastErrno}";
        }
        return $"locked (current, future; MCL_ONFAULT refused: {first})";
    }

    /// <summary>
    /// Before the warm-up: unmaps every page of reapd's read-only file mappings (its executable — all of its code and
    /// read-only data, NativeAOT links the managed code in — libc, libm, the loader), and drops the executable's cached
    /// pages that nobody maps any more. Start-up and argument parsing touched code the loop never runs again, and each
    /// fault mapped up to 64 KiB around the page it needed (fault-around, mm/memory.c do_fault_around), so most of the
    /// executable was mapped without being used. Then the warm-up maps back what the hot path runs — the wake loop, a
    /// sample, a scan, a kill and a reap, the event lines — and <see cref="LockMemory"/> locks exactly that. MADV_RANDOM
    /// on the executable keeps the warm-up's faults from reading a readahead window each; fault-around, which would map
    /// the neighbours already cached, is turned off separately (<see cref="DisableFaultAround"/>). A mapping holding a copied-on-write page (relocated
    /// read-only data) is left alone: MADV_DONTNEED would throw the copy away. Best effort; returns what was done.
    /// Measured: docs/reliability.md "Under its own pressure".
    /// </summary>
    public static string TrimToHotPath()
    {
        string? executable = Environment.ProcessPath;
        List<Mapping> mappings;
        try
        {
            mappings = ReadMappings();
        }
        catch (IOException e)
        {
            return "not trimmed: " + e.Message;
        }
        // Opened before anything is unmapped: from the first MADV_DONTNEED to the fadvise, every fault maps up to 64 KiB
        // around it from the still-full cache, and a mapped page is not dropped; so that stretch runs as little code as
        // possible, and is run twice (the second round unmaps and drops what the first one's own code mapped back).
        int fd = executable is null ? -1 : KernelTextFile.Open(executable, Interop.O_RDONLY, out _);
        long unmappedKiB = 0;
        int refused = 0, fadviseError = fd < 0 ? -1 : 0;
        bool[] own = new bool[mappings.Count];
        for (int i = 0; i < mappings.Count; i++)
        {
            own[i] = mappings[i].Path == executable;
            if (own[i] && Interop.madvise(mappings[i].Start, mappings[i].Length, Interop.MADV_RANDOM) != 0)
            {
                refused++;
            }
        }
        // Before anything is unmapped, so that no fault from here on maps a neighbour it did not need.
        string faultAround = DisableFaultAround(mappings);
        for (int round = 0; round < 2; round++)
        {
            for (int i = 0; i < mappings.Count; i++)
            {
                Mapping mapping = mappings[i];
                if (!IsReadOnlyFilePages(mapping) || (round == 1 && !own[i]))
                {
                    continue;
                }
                if (Interop.madvise(mapping.Start, mapping.Length, Interop.MADV_DONTNEED) != 0)
                {
                    refused++;
                }
                else if (round == 0)
                {
                    unmappedKiB += mapping.RssKiB;
                }
            }
            if (fd >= 0)
            {
                fadviseError = Interop.posix_fadvise(fd, 0, 0, Interop.POSIX_FADV_DONTNEED);
            }
        }
        if (fd >= 0)
        {
            _ = Interop.close(fd);
        }
        string dropped = fadviseError == 0 ? "; executable's unmapped cache dropped" : $"; executable's cache kept ({(fadviseError < 0 ? "cannot open it" : ((Interop.Errno)fadviseError).ToString())})";
        return $"unmapped {unmappedKiB} KiB of read-only file pages{dropped}{(refused == 0 ? "" : $" ({refused} madvise calls refused)")}; {faultAround}";
    }

    /// <summary>
    /// How much of the executable and the libraries is resident now, and how big the managed heap is (for the start
    /// event). Called right after mlockall: whatever it allocates on the managed heap stays there, locked, until a
    /// collection that an idle daemon never runs (its quiet cycle allocates nothing). So /proc/self/smaps (some 2,700
    /// lines) is parsed in a native buffer, not read into a string per line: that had left 165 KiB of strings and
    /// their arrays, 340 KiB of locked heap pages in all, for the daemon's lifetime.
    /// </summary>
    public static unsafe string DescribeResidentCode()
    {
        string? executable = Environment.ProcessPath;
        byte[] executableUtf8 = Encoding.UTF8.GetBytes(executable ?? "");
        var sums = new ResidentSums(executableUtf8);
        int fd = KernelTextFile.Open("/proc/self/smaps", Interop.O_RDONLY, out int errno);
        if (fd < 0)
        {
            return $"resident code unknown: /proc/self/smaps: {(Interop.Errno)errno}";
        }
        // 16 KiB: more than a line of smaps can be (a path is at most 4 KiB), and little left in malloc's heap, which
        // this runs after mlockall and so stays locked once touched.
        const int BufferBytes = 16 * 1024;
        byte* buffer = (byte*)NativeMemory.Alloc(BufferBytes);
        try
        {
            int kept = 0;
            while (true)
            {
                nint read = Interop.read(fd, buffer + kept, (nuint)(BufferBytes - kept));
                if (read < 0 && Interop.LastErrno == Interop.Errno.EINTR)
                {
                    continue;
                }
                if (read < 0)
                {
                    return $"resident code unknown: /proc/self/smaps: {Interop.LastErrno}";
                }
                int filled = kept + (int)read;
                var text = new ReadOnlySpan<byte>(buffer, filled);
                int consumed = 0;
                for (int newline; (newline = text[consumed..].IndexOf((byte)'\n')) >= 0; consumed += newline + 1)
                {
                    sums.Add(text.Slice(consumed, newline));
                }
                if (read == 0)
                {
                    sums.Add(text[consumed..]); // a last line without its newline
                    break;
                }
                kept = filled - consumed;
                if (kept == BufferBytes)
                {
                    return $"resident code unknown: a /proc/self/smaps line longer than {BufferBytes / 1024} KiB";
                }
                text[consumed..].CopyTo(new Span<byte>(buffer, kept));
            }
        }
        finally
        {
            NativeMemory.Free(buffer);
            _ = Interop.close(fd);
        }
        // The managed heap as the last collection left it (the warm-up's, just before the lock): its live objects and
        // what the GC keeps committed for them; the rest of the anonymous memory is the runtime's (docs/daemon.md, "Memory").
        GCMemoryInfo heap = GC.GetGCMemoryInfo();
        return $"resident: {sums.OwnKiB} of {sums.OwnSizeKiB} KiB of the executable, {sums.LibrariesKiB} KiB of libraries; managed heap {heap.HeapSizeBytes / 1024} KiB, {heap.TotalCommittedBytes / 1024} KiB committed";
    }

    /// <summary>Sums /proc/self/smaps line by line: Rss of the executable's mappings and of the other file mappings.</summary>
    private ref struct ResidentSums(ReadOnlySpan<byte> executable)
    {
        private readonly ReadOnlySpan<byte> _executable = executable;
        private int _kind; // 0: anonymous or pseudo ("[heap]", "[stack]"), 1: the executable, 2: another file

        public long OwnKiB;
        public long OwnSizeKiB;
        public long LibrariesKiB;

        public void Add(ReadOnlySpan<byte> line)
        {
            int colon = line.IndexOf((byte)':');
            int dash = line.IndexOf((byte)'-');
            if (dash > 0 && (colon < 0 || dash < colon) && char.IsAsciiHexDigit((char)line[0]))
            {
                // "start-end perms offset dev inode path": the path follows the fifth field's run of spaces.
                int space = line.IndexOf((byte)' ');
                ReadOnlySpan<byte> rest = line[space..];
                for (int field = 0; field < 4; field++)
                {
                    rest = rest.TrimStart((byte)' ');
                    int next = rest.IndexOf((byte)' ');
                    rest = next < 0 ? default : rest[next..];
                }
                ReadOnlySpan<byte> path = rest.Trim((byte)' ');
                _kind = path.Length > 0 && path.SequenceEqual(_executable) ? 1 : path.Length > 0 && path[0] == (byte)'/' ? 2 : 0;
                if (_kind == 1 && ParseHex(line[..dash], out ulong start) && ParseHex(line[(dash + 1)..space], out ulong end))
                {
                    OwnSizeKiB += (long)((end - start) / 1024);
                }
            }
            else if (_kind != 0 && line.StartsWith("Rss:"u8) && ParseKiB(line[4..], out long kib))
            {
                if (_kind == 1)
                {
                    OwnKiB += kib;
                }
                else
                {
                    LibrariesKiB += kib;
                }
            }
        }

        private static bool ParseHex(ReadOnlySpan<byte> text, out ulong value) =>
            ulong.TryParse(text, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out value);

        private static bool ParseKiB(ReadOnlySpan<byte> text, out long value)
        {
            text = text.Trim((byte)' ');
            if (text.EndsWith(" kB"u8))
            {
                text = text[..^3].TrimEnd((byte)' ');
            }
            return long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out value);
        }
    }

    /// <summary>
    /// A file mapping reapd never writes and that holds no copied-on-write page: MADV_DONTNEED on it only unmaps pages
    /// the file still has (relocated read-only data holds copies, which it would throw away).
    /// </summary>
    private static bool IsReadOnlyFilePages(Mapping mapping) => mapping.Path.StartsWith('/') && !mapping.Writable && mapping.AnonymousKiB == 0;

    private readonly record struct Mapping(nint Start, nuint Length, bool Writable, string Path, long RssKiB, long AnonymousKiB);

    /// <summary>/proc/self/smaps: each mapping with its path (empty for anonymous), Rss and Anonymous. Setup only: allocates.</summary>
    private static List<Mapping> ReadMappings()
    {
        var mappings = new List<Mapping>();
        nint start = 0;
        nuint length = 0;
        bool writable = false;
        string path = "";
        long rss = 0;
        bool open = false;
        foreach (string line in File.ReadAllLines("/proc/self/smaps"))
        {
            int colon = line.IndexOf(':', StringComparison.Ordinal);
            int dash = line.IndexOf('-', StringComparison.Ordinal);
            if (dash > 0 && (colon < 0 || dash < colon) && line.Length > 0 && Uri.IsHexDigit(line[0]))
            {
                // "start-end perms offset dev inode path"; the path starts after the fifth field.
                string[] fields = line.Split(' ', 6, StringSplitOptions.RemoveEmptyEntries);
                string[] range = fields[0].Split('-');
                start = (nint)long.Parse(range[0], NumberStyles.HexNumber, CultureInfo.InvariantCulture);
                length = (nuint)(long.Parse(range[1], NumberStyles.HexNumber, CultureInfo.InvariantCulture) - start);
                writable = fields[1].Contains('w', StringComparison.Ordinal);
                path = fields.Length >= 6 ? fields[5].Trim() : "";
                rss = 0;
                open = true;
            }
            else if (open && line.StartsWith("Rss:", StringComparison.Ordinal))
            {
                rss = KiB(line);
            }
            else if (open && line.StartsWith("Anonymous:", StringComparison.Ordinal))
            {
                mappings.Add(new Mapping(start, length, writable, path, rss, KiB(line)));
                open = false;
            }
        }
        return mappings;
    }

    private static long KiB(string line) =>
        long.Parse(line.AsSpan(line.IndexOf(':', StringComparison.Ordinal) + 1).Trim().TrimEnd("kB").Trim(), NumberStyles.None, CultureInfo.InvariantCulture);

    /// <summary>Writes <see cref="OwnOomScoreAdj"/> to /proc/self/oom_score_adj (lowering needs CAP_SYS_RESOURCE). Returns the result.</summary>
    public static string LowerOomScoreAdj()
    {
        int fd = KernelTextFile.Open("/proc/self/oom_score_adj", Interop.O_WRONLY, out int errno);
        if (fd < 0)
        {
            return $"unchanged: open failed ({(Interop.Errno)errno})";
        }
        try
        {
            errno = KernelTextFile.Write(fd, OwnOomScoreAdj.ToString(CultureInfo.InvariantCulture));
            return errno == 0
                ? OwnOomScoreAdj.ToString(CultureInfo.InvariantCulture)
                : $"unchanged: {(Interop.Errno)errno}{((Interop.Errno)errno == Interop.Errno.EACCES ? " (lowering needs CAP_SYS_RESOURCE)" : "")}";
        }
        finally
        {
            _ = Interop.close(fd);
        }
    }

    /// <summary>
    /// nice -20 for every thread of the process (best effort: needs CAP_SYS_NICE). On Linux a nice value belongs to
    /// one thread: setpriority(PRIO_PROCESS, 0) changes only the caller's (kernel/sys.c takes `current`), and a new
    /// thread copies its creator's at clone. Threads started before this call (the event writer, the runtime's own)
    /// are therefore raised one by one, by their tids in /proc/self/task; threads started later by a raised thread
    /// (the reaper thread) inherit -20. Returns what was done.
    /// </summary>
    public static string RaisePriority()
    {
        int raised = 0, failed = 0;
        Interop.Errno firstError = 0;
        foreach (string task in Directory.EnumerateDirectories("/proc/self/task"))
        {
            if (!uint.TryParse(Path.GetFileName(task), NumberStyles.None, CultureInfo.InvariantCulture, out uint tid))
            {
                continue;
            }
            if (Interop.setpriority(Interop.PRIO_PROCESS, tid, -20) == 0)
            {
                raised++;
                continue;
            }
            Interop.Errno errno = Interop.LastErrno;
            if (errno == Interop.Errno.ESRCH)
            {
                continue; // the thread ended since the listing: nothing to raise
            }
            failed++;
            firstError = firstError == 0 ? errno : firstError;
        }
        return failed == 0 ? "nice -20"
            : raised == 0 ? $"nice unchanged: {firstError}"
            : $"nice -20 on {raised} threads, unchanged on {failed}: {firstError}";
    }

    /// <summary>
    /// Sets the calling thread's nice value alone (setpriority(PRIO_PROCESS, 0) takes `current`): for reapd's metrics
    /// threads, which must never compete with the loop, the reaper or a victim's exit. Raising a nice value needs no
    /// privilege. False when the kernel refused.
    /// </summary>
    public static bool SetCallingThreadNice(int nice) => Interop.setpriority(Interop.PRIO_PROCESS, 0, nice) == 0;

    /// <summary>The oom_score_adj reapd runs with now (for the start event).</summary>
    public static string CurrentOomScoreAdj()
    {
        try
        {
            return Encoding.ASCII.GetString(File.ReadAllBytes("/proc/self/oom_score_adj")).Trim();
        }
        catch (IOException)
        {
            return "?";
        }
    }
}
