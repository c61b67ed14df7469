using Reapd.Core.Proc;

namespace Reapd.Linux.Proc;

/// <summary>
/// The pids of every process in one cgroup directory and all its descendants (each cgroup.procs in the tree), read
/// into a reusable array with stack paths and readdir(3): no allocation per read once the array is large enough.
/// Works for a v1 hierarchy (memory) and for cgroup2 alike. Not thread-safe.
/// </summary>
public sealed class CgroupPidsReader
{
    private const int MaxDepth = 64;

    private readonly byte[] _directory;
    private readonly byte[] _buffer = new byte[64 * 1024];
    private int[] _pids;

    public CgroupPidsReader(string cgroupDirectory, int initialCapacity = 256)
    {
        Directory = cgroupDirectory;
        _directory = KernelFile.RootBytes(cgroupDirectory);
        _pids = new int[Math.Max(16, initialCapacity)];
    }

    public string Directory { get; }

    /// <summary>
    /// Reads the tree now. Gone when the cgroup directory itself no longer exists; sub-cgroups removed mid-read are
    /// skipped. The span is valid until the next call.
    /// </summary>
    public ProcReadOutcome TryRead(out ReadOnlySpan<int> pids)
    {
        Span<byte> path = stackalloc byte[KernelFile.PathBufferBytes];
        _directory.CopyTo(path);
        int count = 0;
        ProcReadOutcome outcome = ReadTree(path, _directory.Length, 0, ref count);
        pids = outcome == ProcReadOutcome.Ok ? _pids.AsSpan(0, count) : default;
        return outcome;
    }

    private unsafe ProcReadOutcome ReadTree(Span<byte> path, int length, int depth, ref int count)
    {
        // This directory's own processes.
        int leafLength = Join(path, length, "cgroup.procs"u8);
        if (leafLength < 0)
        {
            return ProcReadOutcome.Malformed;
        }
        ProcReadOutcome outcome = KernelFile.ReadAll(path[..(leafLength + 1)], _buffer, out int bytes);
        if (outcome != ProcReadOutcome.Ok)
        {
            return outcome;
        }
        int start = count;
        while (!CgroupProcsParser.TryAppend(_buffer.AsSpan(0, bytes), _pids, ref count))
        {
            if (count < _pids.Length)
            {
                return ProcReadOutcome.Malformed;
            }
            // The array was too small: grow (allocation only when the cgroup holds more than ever before) and parse
            // this file again.
            Array.Resize(ref _pids, _pids.Length * 2);
            count = start;
        }

        if (depth >= MaxDepth)
        {
            return ProcReadOutcome.Ok;
        }
        path[length] = 0;
        nint dir;
        fixed (byte* p = path)
        {
            dir = Interop.opendir(p);
        }
        if (dir == 0)
        {
            return KernelFile.FromErrno(Interop.LastErrno);
        }
        try
        {
            nint entry;
            while ((entry = Interop.readdir(dir)) != 0)
            {
                byte type = *((byte*)entry + Interop.DirentTypeOffset);
                var name = System.Runtime.InteropServices.MemoryMarshal.CreateReadOnlySpanFromNullTerminated((byte*)entry + Interop.DirentNameOffset);
                if (type != Interop.DT_DIR || name.SequenceEqual("."u8) || name.SequenceEqual(".."u8))
                {
                    continue;
                }
                int childLength = Join(path, length, name);
                if (childLength < 0)
                {
                    continue;
                }
                ProcReadOutcome child = ReadTree(path, childLength, depth + 1, ref count);
                // A child cgroup removed while we walk is not an error of the tree.
                if (child != ProcReadOutcome.Ok && child != ProcReadOutcome.Gone)
                {
                    return child;
                }
            }
        }
        finally
        {
            _ = Interop.closedir(dir);
        }
        return ProcReadOutcome.Ok;
    }

    /// <summary>path[..length] + "/" + name + NUL; returns the new length without the NUL, -1 if it does not fit.</summary>
    private static int Join(Span<byte> path, int length, ReadOnlySpan<byte> name)
    {
        if (length + 1 + name.Length + 1 > path.Length)
        {
            return -1;
        }
        path[length] = (byte)'/';
        name.CopyTo(path[(length + 1)..]);
        path[length + 1 + name.Length] = 0;
        return length + 1 + name.Length;
    }
}
