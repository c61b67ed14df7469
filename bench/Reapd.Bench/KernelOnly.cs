namespace Reapd.Bench;

/// <summary>No userspace OOM killer: the kernel's OOM killer (global, or the memcg's in quick mode) acts alone.</summary>
internal sealed class KernelOnly : Daemon
{
    public override string Name => "kernel";

    public override bool HasCgroupScope => true;

    protected override (string, string[], Func<string, bool>) Command(BenchScope scope, WorkloadCgroup cgroup, string workDir) =>
        throw new InvalidOperationException("the kernel is not started");

    public override ChildProcess? Start(BenchScope scope, WorkloadCgroup cgroup, string workDir) => null;
}
