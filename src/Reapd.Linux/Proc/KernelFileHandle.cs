using System.Runtime.InteropServices;

namespace Reapd.Linux.Proc;

/// <summary>Owns the fd of a kernel file (/proc, /sys) that reapd keeps open and re-reads.</summary>
internal sealed class KernelFileHandle : SafeHandle
{
    public KernelFileHandle(int fd)
        : base(invalidHandleValue: -1, ownsHandle: true)
    {
        SetHandle(fd);
    }

    public override bool IsInvalid => handle == -1;

    public int Fd => (int)handle;

    protected override bool ReleaseHandle() => Interop.close((int)handle) == 0;
}
