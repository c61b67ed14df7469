using Reapd.Core.Cgroups;

namespace Reapd.Core.Tests.Cgroups;

public sealed class UnitCgroupTests
{
    [Theory]
    [InlineData("/system.slice/nginx.service", "/system.slice/nginx.service")]
    [InlineData("/system.slice/docker.service/sub/leaf", "/system.slice/docker.service")]
    [InlineData("/user.slice/user-1000.slice/user@1000.service/app.slice/firefox.scope", "/user.slice/user-1000.slice/user@1000.service")]
    [InlineData("/user.slice/user-1000.slice/session-3.scope", "/user.slice/user-1000.slice/session-3.scope")]
    [InlineData("/init.scope", "/init.scope")]
    [InlineData("/machine.slice", "/machine.slice")]
    [InlineData("/", "/")]
    [InlineData("/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod1_2.slice/cri-containerd-ab.scope", "/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod1_2.slice")]
    [InlineData("/kubepods/pod42/c1", "/kubepods/pod42")]
    public void The_unit_of_a_process_is_its_first_service_or_scope_or_its_pod(string path, string unit) =>
        Assert.Equal(unit, UnitCgroups.UnitOf(path));

    [Theory]
    [InlineData("/a/b", "/a", true)]
    [InlineData("/a", "/a", true)]
    [InlineData("/ab", "/a", false)]
    [InlineData("/x", "/", true)]
    public void A_cgroup_is_below_an_ancestor_only_at_a_slash(string cgroup, string ancestor, bool below) =>
        Assert.Equal(below, UnitCgroups.IsAtOrBelow(cgroup, ancestor));
}
