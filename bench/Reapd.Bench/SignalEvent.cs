namespace Reapd.Bench;

/// <summary>
/// One signal_generate tracepoint hit: who sent which signal to whom, and when (CLOCK_MONOTONIC seconds).
/// Code is the siginfo si_code: 0 (SI_USER) for kill()/pidfd_send_signal(), 0x80 (SI_KERNEL) for the kernel's OOM
/// killer. Result 0 means delivered, 1 ignored by the target (kernel/signal.c, enum trace_signal_result).
/// </summary>
internal readonly record struct SignalEvent(
    double TimeS, string SenderComm, int SenderTgid, int Signal, int Code, string TargetComm, int TargetPid, int Result)
{
    public const int SiKernel = 0x80;

    public bool FromKernel => Code == SiKernel;
}
