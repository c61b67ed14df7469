using System.Text;
using Reapd.Core.Proc;
using Reapd.Linux.Proc;
using Reapd.Linux.Sensors;

namespace Reapd.Linux.Tests.Proc;

/// <summary>
/// The kept-open reader on real kernel files: a buffer that grows with the file, and files of several seq_file records,
/// of which one read returns only the records that fit the kernel's own buffer.
/// </summary>
public sealed class KeptOpenFileTests
{
    [Fact]
    public void A_read_of_a_file_of_many_records_to_its_end_has_every_line_one_short_read_would_have_lost()
    {
        // /proc/vmstat prints one record per line: a single pread of a large buffer stops where the kernel's page
        // of records ends (4,074 of 4,202 bytes on this host), so its last lines come only from a read on.
        int wholeLines = File.ReadAllLines("/proc/vmstat").Length;
        Assert.Equal(ProcReadOutcome.Ok, KeptOpenFile.TryOpen("/proc/vmstat", 1 << 20, out KeptOpenFile? once));
        Assert.Equal(ProcReadOutcome.Ok, KeptOpenFile.TryOpen("/proc/vmstat", 1 << 20, out KeptOpenFile? toEnd, readToEnd: true));
        using (once)
        using (toEnd)
        {
            Assert.Equal(ProcReadOutcome.Ok, once!.Read(out ReadOnlySpan<byte> first));
            int onceLines = first.Count((byte)'\n');
            Assert.Equal(ProcReadOutcome.Ok, toEnd!.Read(out ReadOnlySpan<byte> all));
            int allLines = all.Count((byte)'\n');
            Assert.Equal(wholeLines, allLines);
            Assert.SkipWhen(onceLines == wholeLines, $"/proc/vmstat ({first.Length} bytes) came whole in one read on this kernel");
            Assert.True(onceLines < allLines);
        }
    }

    [Fact]
    public void A_buffer_that_starts_small_grows_to_the_file_in_doublings_and_no_further()
    {
        string path = Path.Combine(Directory.CreateTempSubdirectory("reapd-kept.").FullName, "file");
        try
        {
            byte[] contents = Encoding.ASCII.GetBytes(new string('x', 10_000));
            File.WriteAllBytes(path, contents);
            Assert.Equal(ProcReadOutcome.Ok, KeptOpenFile.TryOpen(path, 1024, out KeptOpenFile? file, maxBufferBytes: 64 * 1024));
            using (file)
            {
                Assert.Equal(ProcReadOutcome.Ok, file!.Read(out ReadOnlySpan<byte> read));
                Assert.True(read.SequenceEqual(contents));
                Assert.Equal(16 * 1024, file.BufferBytes);
            }
            // Larger than the limit: Malformed, as for a fixed buffer too small.
            Assert.Equal(ProcReadOutcome.Ok, KeptOpenFile.TryOpen(path, 1024, out KeptOpenFile? small, maxBufferBytes: 8 * 1024));
            using (small)
            {
                Assert.Equal(ProcReadOutcome.Malformed, small!.Read(out _));
                Assert.Equal(8 * 1024, small.BufferBytes);
            }
        }
        finally
        {
            Directory.Delete(Path.GetDirectoryName(path)!, recursive: true);
        }
    }

    [Fact]
    public void This_machines_zoneinfo_fits_the_first_buffer_of_the_lower_bound()
    {
        int size = File.ReadAllBytes("/proc/zoneinfo").Length;
        Assert.Equal(ProcReadOutcome.Ok, KeptOpenFile.TryOpen("/proc/zoneinfo", AvailableLowerBound.ZoneinfoFirstBufferBytes,
            out KeptOpenFile? zoneinfo, AvailableLowerBound.ZoneinfoMaxBufferBytes, readToEnd: true));
        using (zoneinfo)
        {
            Assert.Equal(ProcReadOutcome.Ok, zoneinfo!.Read(out ReadOnlySpan<byte> read));
            Assert.True(Math.Abs(read.Length - size) < 256, $"read {read.Length} bytes of a {size}-byte file");
            Assert.Equal(size < AvailableLowerBound.ZoneinfoFirstBufferBytes ? AvailableLowerBound.ZoneinfoFirstBufferBytes : zoneinfo.BufferBytes, zoneinfo.BufferBytes);
        }
    }
}
