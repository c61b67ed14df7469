using Reapd.Linux.Sensors;
using Reapd.Testing;

namespace Reapd.Linux.Tests.Sensors;

public sealed class PsiTriggerTests
{
    [Fact]
    public void A_one_second_trigger_is_armed_or_falls_back_to_two_seconds_without_CAP_SYS_RESOURCE()
    {
        PsiTriggerOutcome outcome = PsiTrigger.TryArm("/proc/pressure/memory", PsiStallKind.Some, 100_000, 1_000_000, out PsiTrigger? trigger, out int errno);
        Assert.SkipWhen(outcome == PsiTriggerOutcome.Unsupported, $"this kernel has no PSI (errno {errno})");
        Assert.Equal(PsiTriggerOutcome.Armed, outcome);
        using (trigger)
        {
            Assert.True(trigger!.Fd >= 0);
            // Either the 1 s window was allowed (CAP_SYS_RESOURCE), or the same 10 % share over 2 s.
            Assert.True((trigger.WindowUs, trigger.ThresholdUs) is (1_000_000, 100_000) or (2_000_000, 200_000), trigger.ToString());
            // The trigger is quiet when nothing stalls (POLLPRI not pending right away on an idle machine is not
            // guaranteed, so only check that poll accepts the fd).
            using var wake = new WakeSet(1);
            wake.Add(trigger.Fd, WakeSet.Priority);
            Assert.NotEqual(WakeOutcome.Failed, wake.Wait(0, out _));
        }
    }

    [Fact]
    public void A_malformed_trigger_is_refused_as_a_value()
    {
        // Threshold above the window: EINVAL at every window length.
        PsiTriggerOutcome outcome = PsiTrigger.TryArm("/proc/pressure/memory", PsiStallKind.Full, 5_000_000, 2_000_000, out PsiTrigger? trigger, out _);
        Assert.SkipWhen(outcome == PsiTriggerOutcome.Unsupported, "this kernel has no PSI");
        Assert.Equal(PsiTriggerOutcome.Invalid, outcome);
        Assert.Null(trigger);
    }

    [Fact]
    public void A_missing_pressure_file_means_no_PSI()
    {
        string missing = Path.Combine(NativeProgram.RepositoryRoot, "tests", "fixtures", "cgroup2", "no-such-memory.pressure");
        Assert.Equal(PsiTriggerOutcome.Unsupported, PsiTrigger.TryArm(missing, PsiStallKind.Some, 1, 2_000_000, out _, out _));
    }
}
