using Reapd.Core.Daemon;
using Reapd.Core.Decision;
using Reapd.Core.Replay;
using Reapd.Daemon;
using Reapd.Testing;

namespace Reapd.Tests;

/// <summary>The recorder of `reapd run --record` on its own: a file that does not drain, and the size cap.</summary>
public sealed class DecisionRecorderTests
{
    [Fact]
    public void A_recording_whose_file_does_not_drain_drops_and_counts_records_and_marks_the_gap_without_blocking_the_caller()
    {
        using TestFifo fifo = TestFifo.CreateFull();
        var recorder = DecisionRecorder.TryStart(fifo.Path, DecisionRecorder.DefaultMaxBytes, new DaemonConfig(), "test", out string? error)
            ?? throw new InvalidOperationException(error);
        // The pipe is full and nobody reads it: the writer thread blocks in write(2); the caller must not.
        var command = Command.Tell(new DecisionReport(ReportKind.Choice, new VictimId(1234, 5678), ChoiceIndex: 0, CandidateCount: 3, HeldBytes: 1L << 30));
        for (int i = 0; i < 200_000 && recorder.DroppedTotal < 1000; i++)
        {
            recorder.Emitted(command);
        }
        Assert.True(recorder.DroppedTotal >= 1000, $"{recorder.DroppedTotal} dropped");
        var drained = new MemoryStream();
        // Ended by EOF normally; if an assertion ends the test first, the fifo is disposed under the read, which must end
        // the thread quietly (an exception unhandled on a thread takes the test host down).
        var reader = new Thread(() =>
        {
            try
            {
                fifo.Reader.CopyTo(drained);
            }
            catch (Exception e) when (e is ObjectDisposedException or IOException)
            {
            }
        })
        { IsBackground = true };
        reader.Start();
        // Once the file drains, the ring has room again: the next record goes in, the gap marked before it.
        for (int tries = 0; tries < 1000; tries++)
        {
            long before = recorder.DroppedTotal;
            recorder.Signalled(SignalResult.Sent, 0, 42);
            if (recorder.DroppedTotal == before)
            {
                break;
            }
            Thread.Sleep(10);
        }
        long dropped = recorder.DroppedTotal;
        recorder.Dispose();
        Assert.True(reader.Join(30_000), "the recording did not end");

        byte[] file = drained.ToArray()[fifo.CapacityBytes..];
        Recording recording = RecordReader.TryRead(file, out error) ?? throw new InvalidOperationException(error);
        Assert.Equal(dropped, recording.Events.Where(e => e.Kind == RecordKind.Dropped).Sum(e => e.DroppedRecords));
        Assert.Equal(RecordKind.Signalled, recording.Events[^1].Kind);
        Assert.Equal(RecordKind.Dropped, recording.Events[^2].Kind);
        Assert.Equal(command, recording.Events.First(e => e.Kind == RecordKind.Command).Command);
    }

    [Fact]
    public void A_long_recording_rotates_to_FILE_1_and_both_files_stay_under_the_cap_and_read_back()
    {
        string directory = Directory.CreateTempSubdirectory("reapd-rotate.").FullName;
        try
        {
            string path = Path.Combine(directory, "run.rec");
            const long MaxBytes = 64 * 1024;
            var recorder = DecisionRecorder.TryStart(path, MaxBytes, new DaemonConfig(), "test", out string? error)
                ?? throw new InvalidOperationException(error);
            // Idle samples that each move by more than 1 % of the total: all are written.
            for (int i = 0; i < 20_000; i++)
            {
                recorder.Sampled(new MemorySample(i * 10L, (i % 2 == 0 ? 800L : 600L) << 20, 1L << 30, 0, 0, PsiReading.None), busy: false);
            }
            recorder.Dispose();

            Assert.True(File.Exists(path + ".1"), "no rotation");
            long total = new FileInfo(path).Length + new FileInfo(path + ".1").Length;
            Assert.True(total <= MaxBytes, $"{total} bytes on disk for a {MaxBytes}-byte cap");
            foreach (string file in new[] { path, path + ".1" })
            {
                Recording recording = RecordReader.TryRead(File.ReadAllBytes(file), out error) ?? throw new InvalidOperationException($"{file}: {error}");
                Assert.NotEmpty(recording.Events);
                Assert.All(recording.Events, e => Assert.Equal(RecordKind.Sample, e.Kind));
                Assert.Equal("test", recording.Header["scope"]);
            }
            Assert.True(int.Parse(RecordReader.TryRead(File.ReadAllBytes(path), out _)!.Header["segment"], System.Globalization.CultureInfo.InvariantCulture) > int.Parse(RecordReader.TryRead(File.ReadAllBytes(path + ".1"), out _)!.Header["segment"], System.Globalization.CultureInfo.InvariantCulture));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}
