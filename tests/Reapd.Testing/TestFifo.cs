using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Reapd.Testing;

/// <summary>
/// A named pipe (mkfifo) in a private temporary directory, shrunk to one page and filled, so that a child process
/// whose stdout is redirected to <see cref="Path"/> blocks on its first write until the test reads
/// <see cref="Reader"/> (a blocking read end opened before the child). Only the child opens it for writing, so the
/// reader sees end-of-file when the child exits. Dispose closes the reader and removes the directory.
/// </summary>
public sealed class TestFifo : IDisposable
{
    private const int O_RDONLY = 0;
    private const int O_WRONLY = 1;
    private const int O_NONBLOCK = 0x800;
    private const int O_CLOEXEC = 0x80000;
    private const int F_SETFL = 4;
    private const int F_SETPIPE_SZ = 1031;

    private readonly string _directory;

    private TestFifo(string directory, string path, FileStream reader, int capacityBytes)
    {
        _directory = directory;
        Path = path;
        Reader = reader;
        CapacityBytes = capacityBytes;
    }

    public string Path { get; }

    /// <summary>The read end (blocking).</summary>
    public FileStream Reader { get; }

    /// <summary>The filler line's length, newline included: what the pipe holds before a write blocks.</summary>
    public int CapacityBytes { get; }

    public static TestFifo CreateFull()
    {
        string directory = Directory.CreateTempSubdirectory("reapd-fifo.").FullName;
        string path = System.IO.Path.Combine(directory, "stdout");
        Check(mkfifo(path, 0x180 /* 0600 */), "mkfifo");
        // The read end first and non-blocking (open would wait for a writer otherwise); then our own write end,
        // which opens at once because a reader exists, shrinks the pipe to a page and fills it.
        int read = Check(open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC), "open for reading");
        int write = Check(open(path, O_WRONLY | O_CLOEXEC), "open for writing");
        int capacity = Check(fcntl(write, F_SETPIPE_SZ, 4096), "F_SETPIPE_SZ");
        byte[] filler = new byte[capacity];
        Array.Fill(filler, (byte)'x');
        filler[^1] = (byte)'\n';
        using (var writer = new FileStream(new SafeFileHandle(write, ownsHandle: true), FileAccess.Write, bufferSize: 0))
        {
            writer.Write(filler);
        }
        Check(fcntl(read, F_SETFL, 0), "F_SETFL");
        return new TestFifo(directory, path, new FileStream(new SafeFileHandle(read, ownsHandle: true), FileAccess.Read, bufferSize: 0), capacity);
    }

    public void Dispose()
    {
        Reader.Dispose();
        File.Delete(Path);
        Directory.Delete(_directory);
    }

    private static int Check(int result, string what) =>
        result >= 0 ? result : throw new IOException($"{what} failed: errno {Marshal.GetLastPInvokeError()}");

    [DllImport("libc", SetLastError = true)]
    private static extern int mkfifo(string path, int mode);

    [DllImport("libc", SetLastError = true)]
    private static extern int open(string path, int flags);

    [DllImport("libc", SetLastError = true)]
    private static extern int fcntl(int fd, int command, int argument);
}
