using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Reapd.Testing;

/// <summary>
/// A real pipe(2) shrunk to one page (F_SETPIPE_SZ), with blocking ends as unbuffered streams, so that a test can fill
/// it and make every further write block, as a stdout nobody reads (or a stalled journald) does. Dispose closes both ends.
/// </summary>
public sealed class TestPipe : IDisposable
{
    private const int O_CLOEXEC = 0x80000;
    private const int F_SETPIPE_SZ = 1031;

    private TestPipe(FileStream reader, FileStream writer, int capacityBytes)
    {
        Reader = reader;
        Writer = writer;
        CapacityBytes = capacityBytes;
    }

    /// <summary>The read end.</summary>
    public FileStream Reader { get; }

    /// <summary>The write end.</summary>
    public FileStream Writer { get; }

    /// <summary>What the pipe holds before a write blocks (the kernel rounds the request up to a page).</summary>
    public int CapacityBytes { get; }

    public static TestPipe Create(int capacityBytes = 4096)
    {
        int[] fds = new int[2];
        if (pipe2(fds, O_CLOEXEC) != 0)
        {
            throw new IOException($"pipe2 failed: errno {Marshal.GetLastPInvokeError()}");
        }
        int capacity = fcntl(fds[1], F_SETPIPE_SZ, capacityBytes);
        var reader = new FileStream(new SafeFileHandle(fds[0], ownsHandle: true), FileAccess.Read, bufferSize: 0);
        var writer = new FileStream(new SafeFileHandle(fds[1], ownsHandle: true), FileAccess.Write, bufferSize: 0);
        if (capacity < 0)
        {
            reader.Dispose();
            writer.Dispose();
            throw new IOException($"F_SETPIPE_SZ failed: errno {Marshal.GetLastPInvokeError()}");
        }
        return new TestPipe(reader, writer, capacity);
    }

    /// <summary>
    /// Fills the pipe with one line of filler ("x…x\n", <see cref="CapacityBytes"/> bytes): the next write blocks until
    /// a reader takes it out.
    /// </summary>
    public void Fill()
    {
        byte[] filler = new byte[CapacityBytes];
        Array.Fill(filler, (byte)'x');
        filler[^1] = (byte)'\n';
        Writer.Write(filler);
    }

    public void Dispose()
    {
        Writer.Dispose();
        Reader.Dispose();
    }

    [DllImport("libc", SetLastError = true)]
    private static extern int pipe2(int[] fds, int flags);

    [DllImport("libc", SetLastError = true)]
    private static extern int fcntl(int fd, int command, int argument);
}
