using System.Diagnostics;

namespace Reapd.Bench.Tests;

public class WorkloadTests
{
    [Fact]
    public void A_running_process_is_not_dying_and_a_killed_unreaped_one_is()
    {
        using var sleeper = Process.Start("sleep", "30");
        Assert.False(Workload.IsDeadOrDying(sleeper.Id));

        // SIGKILL, then wait (bounded) for the zombie: .NET reaps it only when asked for its exit.
        Assert.True(Libc.Kill(sleeper.Id, Libc.SIGKILL));
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!Workload.IsDeadOrDying(sleeper.Id) && DateTime.UtcNow < deadline)
        {
            Thread.Sleep(10);
        }

        Assert.True(Workload.IsDeadOrDying(sleeper.Id));
        sleeper.WaitForExit();
    }

    [Fact]
    public void A_pid_that_does_not_exist_is_dead()
    {
        Assert.True(Workload.IsDeadOrDying(int.MaxValue));
    }
}
