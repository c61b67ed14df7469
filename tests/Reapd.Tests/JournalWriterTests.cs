using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Reapd.Daemon;
using Reapd.Linux.Journal;
using Reapd.Testing;

namespace Reapd.Tests;

/// <summary>
/// The event writer thread sending journal entries to a real AF_UNIX datagram socket bound in a temp directory, the
/// way it sends them to journald: one datagram per event, whole and in order; a receiver that stops reading makes the
/// writer thread wait, never the thread that logs, and every entry the ring had no room for is counted and announced
/// where the gap is.
/// </summary>
public sealed partial class JournalWriterTests
{
    // Entries are about twice a line (the line as MESSAGE, then the fields), so the ring is larger than the pipe tests'.
    private const int RingBytes = 4096;

    private static readonly byte[][] s_pads = [.. Enumerable.Range(0, 3000).Select(seq => Encoding.ASCII.GetBytes(Pad(seq)))];

    [Fact]
    public void Entries_reach_the_socket_one_datagram_each_whole_and_in_order()
    {
        using TestJournalSocket journal = TestJournalSocket.Bind();
        journal.StartReading();
        using EventWriter writer = Start(journal, Stream.Null, EventWriter.DefaultCapacityBytes);
        var log = new EventLog(writer);

        const int Total = 500;
        for (int seq = 0; seq < Total; seq++)
        {
            Log(log, seq);
            // Paced (at most 20 entries, 16 KiB, in flight): this test is about order and wholeness, the next about drops.
            Assert.True(ProcFacts.WaitUntil(() => writer.LinesWritten > seq - 20));
        }
        Assert.True(writer.Stop(10_000));
        Assert.Equal(0, writer.DroppedTotal);
        Assert.True(ProcFacts.WaitUntil(() => journal.Received.Count == Total), $"{journal.Received.Count} of {Total} entries arrived");

        List<JournalEntry> entries = journal.Received;
        for (int seq = 0; seq < Total; seq++)
        {
            AssertTestEntry(entries[seq], seq);
        }
        Assert.Equal(0, writer.DroppedTotal);
        Assert.Equal(0, writer.JournalFallbackLines);
    }

    [Fact]
    public void A_journal_that_does_not_read_fills_the_ring_and_every_dropped_entry_is_counted_and_announced_where_it_was()
    {
        using TestJournalSocket journal = TestJournalSocket.Bind();
        using EventWriter writer = Start(journal, Stream.Null);
        var log = new EventLog(writer);

        // Nobody reads. First the socket's queue fills: the kernel refuses a datagram only once the queue holds more
        // than net.unix.max_dgram_qlen (unix_recvq_full, net/unix/af_unix.c).
        int queueDatagrams = int.Parse(File.ReadAllText("/proc/sys/net/unix/max_dgram_qlen").Trim(), CultureInfo.InvariantCulture);
        int queued = 0;
        for (; queued < queueDatagrams; queued++)
        {
            Log(log, queued);
            Assert.True(ProcFacts.WaitUntil(() => writer.LinesWritten == queued + 1), $"entry {queued} was not sent into a queue with room");
        }
        // Then the writer thread waits for room, the ring fills behind it, and the rest is dropped and counted — and
        // logging returned every time.
        const int FirstBurst = 300;
        for (int seq = queued; seq < FirstBurst; seq++)
        {
            Log(log, seq);
        }
        long droppedWhileBlocked = writer.DroppedTotal;
        Assert.InRange(droppedWhileBlocked, 1, FirstBurst - queued - 1);
        Assert.InRange(writer.LinesWritten, queueDatagrams, queueDatagrams + 1);

        // Once the journal reads, what was queued comes out and then the gap after it is announced.
        journal.StartReading();
        Assert.True(ProcFacts.WaitUntil(() => journal.Received.Where(IsDropped).Sum(e => long.Parse(e["REAPD_DROPPED"], CultureInfo.InvariantCulture)) == droppedWhileBlocked),
            $"the drops were not all announced after the journal started reading: {writer.LinesWritten} sent, {droppedWhileBlocked} dropped");

        const int Total = 600;
        for (int seq = FirstBurst; seq < Total; seq++)
        {
            Log(log, seq);
        }
        Assert.True(writer.Stop(10_000), "the writer did not drain once the journal read");
        long sent = writer.LinesWritten;
        Assert.True(ProcFacts.WaitUntil(() => journal.Received.Count == sent), $"{journal.Received.Count} of {sent} entries arrived");

        long next = 0, announced = 0;
        foreach (JournalEntry entry in journal.Received)
        {
            if (IsDropped(entry))
            {
                long dropped = long.Parse(entry["REAPD_DROPPED"], CultureInfo.InvariantCulture);
                Assert.True(dropped > 0);
                Assert.Equal("4", entry["PRIORITY"]);
                Assert.Equal($"events-dropped dropped={dropped} dropped_total={entry["REAPD_DROPPED_TOTAL"]}", entry["MESSAGE"]);
                next += dropped;
                announced += dropped;
                continue;
            }
            AssertTestEntry(entry, next);
            next++;
        }
        Assert.Equal(Total, next);
        Assert.Equal(writer.DroppedTotal, announced);
        Assert.Equal(0, writer.LineWriteFailures);
        Assert.Equal(0, writer.JournalFallbackLines);
    }

    [Fact]
    public void Logging_and_sending_entries_allocate_nothing_on_either_thread_once_warm()
    {
        using TestJournalSocket journal = TestJournalSocket.Bind();
        journal.StartReading();
        using EventWriter writer = Start(journal, Stream.Null, EventWriter.DefaultCapacityBytes);
        var log = new EventLog(writer);
        const int Round = 20, Rounds = 20;
        int seq = 0;
        for (; seq < Round; seq++)
        {
            Log(log, seq);
        }
        Assert.True(ProcFacts.WaitUntil(() => writer.LinesWritten == seq));
        long writerBefore = writer.WriterThreadAllocatedBytes;

        long allocated = 0, loggingTicks = 0;
        int measuredFrom = seq;
        // Each entry is measured on its own (ThreadAllocation: a raw counter over these rounds read 8,024 bytes once in
        // CI); an entry logged again after a disturbed reading is simply the next one.
        Action logNext = () => Log(log, seq++);
        for (int round = 0; round < Rounds; round++)
        {
            long start = System.Diagnostics.Stopwatch.GetTimestamp();
            allocated += ThreadAllocation.Measure(Round, logNext);
            loggingTicks += System.Diagnostics.Stopwatch.GetTimestamp() - start;
            Assert.True(ProcFacts.WaitUntil(() => writer.LinesWritten == seq));
        }
        Assert.True(writer.Stop(10_000));

        Assert.Equal(0, allocated);
        Assert.Equal(0, writer.WriterThreadAllocatedBytes - writerBefore);
        Assert.Equal(0, writer.DroppedTotal);
        // Reported, never asserted.
        int entries = seq - measuredFrom;
        double perEntryUs = loggingTicks * 1e6 / System.Diagnostics.Stopwatch.Frequency / entries;
        TestContext.Current.TestOutputHelper?.WriteLine($"EventLog: {perEntryUs:F2} µs per journal entry (Begin, 2 fields, End with the enqueue; with the measurement's bracket); {entries} entries");
    }

    [Fact]
    public void After_journald_restarts_its_new_socket_at_the_same_path_gets_the_entries()
    {
        using TestJournalSocket journal = TestJournalSocket.Bind();
        journal.StartReading();
        using EventWriter writer = Start(journal, Stream.Null);
        var log = new EventLog(writer);
        Log(log, 0);
        Assert.True(ProcFacts.WaitUntil(() => journal.Received.Count == 1));

        journal.Restart();
        journal.StartReading();
        Log(log, 1);
        Log(log, 2);
        Assert.True(writer.Stop(10_000));
        Assert.True(ProcFacts.WaitUntil(() => journal.Received.Count == 3), $"{journal.Received.Count} of 3 entries arrived");
        for (int seq = 0; seq < 3; seq++)
        {
            AssertTestEntry(journal.Received[seq], seq);
        }
        Assert.Equal(0, writer.JournalFallbackLines);
    }

    [Fact]
    public void Entries_nobody_listens_for_any_more_go_to_stdout_as_their_lines_after_one_warning()
    {
        using TestPipe pipe = TestPipe.Create();
        LineReader reader = LineReader.Start(pipe.Reader);
        var journal = TestJournalSocket.Bind();
        using EventWriter writer = Start(journal, pipe.Writer);
        var log = new EventLog(writer);
        // journald is gone and nobody binds its path again: the send is refused and so is the reconnect.
        journal.Dispose();

        Log(log, 0);
        log.Begin("settle"u8, EventLog.Error).Field("name"u8, "a\nb"u8).End();
        Assert.True(writer.Stop(10_000));
        pipe.Writer.Dispose();
        Assert.True(reader.WaitForEnd(10_000));

        List<string> lines = reader.Lines;
        Assert.Equal(3, lines.Count);
        Assert.Matches(@"^<4>warning what=journal errno=(2|111) detail=""the journal's socket refused an event: such events go to stdout as lines, without REAPD_ fields""$", lines[0]);
        Assert.Equal($"<6>test seq=0 pad={Pad(0)}", lines[1].Replace("pad=\"\"", "pad=", StringComparison.Ordinal));
        Assert.Equal("<3>settle name=\"a?b\"", lines[2]);
        Assert.Equal(2, writer.JournalFallbackLines);
    }

    [Fact]
    public void A_journal_socket_that_is_not_there_is_an_errno_not_an_exception()
    {
        string missing = Path.Combine(Path.GetTempPath(), $"reapd-no-journal-{Environment.ProcessId}", "socket");
        Assert.Null(JournalSocket.TryConnect(missing, out int errno));
        Assert.Equal(2, errno); // ENOENT
        Assert.Null(JournalSocket.TryConnect("/" + new string('x', 120), out errno));
        Assert.Equal(36, errno); // ENAMETOOLONG
    }

    private static EventWriter Start(TestJournalSocket journal, Stream stream, int ringBytes = RingBytes)
    {
        JournalSocket socket = JournalSocket.TryConnect(journal.Path, out int errno) ?? throw new InvalidOperationException($"connect: errno {errno}");
        return EventWriter.TryStart(stream, json: false, journal: true, out errno, ringBytes, socket)
            ?? throw new InvalidOperationException($"eventfd: {errno}");
    }

    private static void Log(EventLog log, int seq) =>
        log.Begin("test"u8, EventLog.Info).Field("seq"u8, seq).Field("pad"u8, s_pads[seq % s_pads.Length]).End();

    /// <summary>A line's padding: its length varies with the sequence number, its letters name it.</summary>
    private static string Pad(long seq) => new((char)('a' + (seq % 26)), (int)(seq * 37 % 350));

    private static bool IsDropped(JournalEntry entry) => entry["REAPD_EVENT"] == "events-dropped";

    private static void AssertTestEntry(JournalEntry entry, long seq)
    {
        Assert.Equal(["MESSAGE", "PRIORITY", "SYSLOG_IDENTIFIER", "REAPD_EVENT", "REAPD_SEQ", "REAPD_PAD"], entry.Names);
        Assert.Equal("test", entry["REAPD_EVENT"]);
        Assert.Equal(seq.ToString(CultureInfo.InvariantCulture), entry["REAPD_SEQ"]);
        Assert.Equal(Pad(seq), entry["REAPD_PAD"]);
        Assert.Equal("6", entry["PRIORITY"]);
        Assert.Equal("reapd", entry["SYSLOG_IDENTIFIER"]);
        Match message = MessageText().Match(entry["MESSAGE"]);
        Assert.True(message.Success, entry["MESSAGE"]);
        Assert.Equal(seq.ToString(CultureInfo.InvariantCulture), message.Groups[1].Value);
    }

    [GeneratedRegex(@"^test seq=(\d+) pad=(""""|[a-z]+)$")]
    private static partial Regex MessageText();
}
