namespace Reapd.Linux;

internal static partial class Interop
{
    /// <summary>kcmp type: do the two processes share one mm (include/uapi/linux/kcmp.h)?</summary>
    internal const int KCMP_VM = 1;

    /// <summary>
    /// kcmp(2): 0 when equal, 1 or 2 for an order, 3 when unequal and unordered; -1 with errno (ESRCH: a pid is gone,
    /// EPERM: no PTRACE_MODE_READ on one of them, ENOSYS: CONFIG_KCMP off or an unknown architecture).
    /// </summary>
    internal static int kcmp(int pid1, int pid2, int type)
    {
        long number = SYS_kcmp;
        if (number < 0)
        {
            System.Runtime.InteropServices.Marshal.SetLastPInvokeError((int)Errno.ENOSYS);
            return -1;
        }
        return (int)syscall5(number, pid1, pid2, type, 0, 0);
    }
}
