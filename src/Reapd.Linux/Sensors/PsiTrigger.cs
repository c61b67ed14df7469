using System.Globalization;
using System.Runtime.InteropServices;

namespace Reapd.Linux.Sensors;

/// <summary>
/// One PSI trigger (docs/kernel.md C.5): the pressure file opened O_RDWR|O_NONBLOCK, "some|full THRESHOLD_US WINDOW_US"
/// written with a trailing NUL (psi_write() drops the last byte written), then poll(POLLPRI) fires when the stall
/// inside a window exceeds the threshold (at most once per window). Closing the fd removes the trigger. Owns the fd.
/// </summary>
public sealed class PsiTrigger : SafeHandle
{
    /// <summary>Without CAP_SYS_RESOURCE (6.4+, d82caa273565) the kernel accepts only windows that are multiples of 2 s.</summary>
    public const long UnprivilegedWindowStepUs = 2_000_000;

    private PsiTrigger(int fd, PsiStallKind kind, long thresholdUs, long windowUs)
        : base(invalidHandleValue: -1, ownsHandle: true)
    {
        SetHandle(fd);
        Kind = kind;
        ThresholdUs = thresholdUs;
        WindowUs = windowUs;
    }

    public override bool IsInvalid => handle == -1;

    public int Fd => IsClosed ? -1 : (int)handle;

    public PsiStallKind Kind { get; }

    public long ThresholdUs { get; }

    /// <summary>The window actually armed (may be longer than asked: see <see cref="TryArm"/>).</summary>
    public long WindowUs { get; }

    /// <summary>
    /// Arms a trigger on <paramref name="pressurePath"/> (/proc/pressure/memory or a cgroup2 memory.pressure). If the
    /// kernel refuses the window with EINVAL and it is not a multiple of 2 s, retries once with the next multiple of
    /// 2 s and the threshold scaled to the same share, as the kernel allows without CAP_SYS_RESOURCE.
    /// </summary>
    public static PsiTriggerOutcome TryArm(string pressurePath, PsiStallKind kind, long thresholdUs, long windowUs, out PsiTrigger? trigger, out int errno)
    {
        trigger = null;
        int fd = KernelTextFile.Open(pressurePath, Interop.O_RDWR | Interop.O_NONBLOCK, out errno);
        if (fd < 0)
        {
            return Classify(errno);
        }
        errno = Write(fd, kind, thresholdUs, windowUs);
        if (errno == (int)Interop.Errno.EINVAL && windowUs % UnprivilegedWindowStepUs != 0)
        {
            long longerWindowUs = (windowUs / UnprivilegedWindowStepUs + 1) * UnprivilegedWindowStepUs;
            thresholdUs = thresholdUs * longerWindowUs / windowUs;
            windowUs = longerWindowUs;
            errno = Write(fd, kind, thresholdUs, windowUs);
        }
        if (errno != 0)
        {
            _ = Interop.close(fd);
            return Classify(errno);
        }
        trigger = new PsiTrigger(fd, kind, thresholdUs, windowUs);
        return PsiTriggerOutcome.Armed;
    }

    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"{(Kind == PsiStallKind.Some ? "some" : "full")} {ThresholdUs / 1000} ms in {WindowUs / 1000} ms");

    protected override bool ReleaseHandle() => Interop.close((int)handle) == 0;

    private static int Write(int fd, PsiStallKind kind, long thresholdUs, long windowUs) =>
        // The NUL matters: psi_write() copies min(nbytes, 32) bytes and overwrites the last one with '\0'.
        KernelTextFile.Write(fd, string.Create(CultureInfo.InvariantCulture, $"{(kind == PsiStallKind.Some ? "some" : "full")} {thresholdUs} {windowUs}\0"));

    private static PsiTriggerOutcome Classify(int errno) => (Interop.Errno)errno switch
    {
        Interop.Errno.ENOENT or Interop.Errno.EOPNOTSUPP => PsiTriggerOutcome.Unsupported,
        Interop.Errno.EACCES or Interop.Errno.EPERM => PsiTriggerOutcome.Denied,
        Interop.Errno.EINVAL => PsiTriggerOutcome.Invalid,
        _ => PsiTriggerOutcome.Failed,
    };
}
