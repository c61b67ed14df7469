using System.Runtime.InteropServices;

namespace Reapd.Linux.Kill;

/// <summary>
/// Owns one pidfd (pidfd_open(2), always O_CLOEXEC). The pidfd pins the struct pid, so a signal sent through it can
/// only reach the process it was opened for, never a later process that reuses the number (docs/kernel.md C.1). It
/// becomes readable (POLLIN) once the thread group has exited (docs/kernel.md C.4): <see cref="FdNumber"/> is exposed so
/// an event loop can put it in its own poll set. Closed exactly once, by Dispose or the finalizer.
/// </summary>
public sealed class PidFdHandle : SafeHandle
{
    public PidFdHandle()
        : base(invalidHandleValue: -1, ownsHandle: true)
    {
    }

    internal PidFdHandle(int fd)
        : base(invalidHandleValue: -1, ownsHandle: true)
    {
        SetHandle(fd);
    }

    public override bool IsInvalid => handle == -1;

    /// <summary>The fd number, for a caller's poll set; valid while this handle is not disposed.</summary>
    public int FdNumber => IsClosed ? -1 : (int)handle;

    protected override bool ReleaseHandle() => Interop.close((int)handle) == 0;
}
