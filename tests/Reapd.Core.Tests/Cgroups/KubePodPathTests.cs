using Reapd.Core.Cgroups;

namespace Reapd.Core.Tests.Cgroups;

public sealed class KubePodPathTests
{
    [Theory]
    // systemd driver
    [InlineData("/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod0a1b_2c.slice/cri-containerd-f00.scope",
        KubeQosClass.BestEffort, "/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod0a1b_2c.slice", "0a1b_2c", "cri-containerd-f00.scope")]
    [InlineData("/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-podabc.slice/cri-containerd-1.scope",
        KubeQosClass.Burstable, "/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-podabc.slice", "abc", "cri-containerd-1.scope")]
    [InlineData("/kubepods.slice/kubepods-poddef.slice/cri-containerd-2.scope",
        KubeQosClass.Guaranteed, "/kubepods.slice/kubepods-poddef.slice", "def", "cri-containerd-2.scope")]
    [InlineData("/kubepods.slice/kubepods-poddef.slice", KubeQosClass.Guaranteed, "/kubepods.slice/kubepods-poddef.slice", "def", null)]
    // cgroupfs driver
    [InlineData("/kubepods/besteffort/pod11-22/c0ffee", KubeQosClass.BestEffort, "/kubepods/besteffort/pod11-22", "11-22", "c0ffee")]
    [InlineData("/kubepods/burstable/pod33/c1", KubeQosClass.Burstable, "/kubepods/burstable/pod33", "33", "c1")]
    [InlineData("/kubepods/pod44/c2", KubeQosClass.Guaranteed, "/kubepods/pod44", "44", "c2")]
    // below another cgroup (a kind node)
    [InlineData("/system.slice/node.scope/kubepods/burstable/pod55/c3", KubeQosClass.Burstable, "/system.slice/node.scope/kubepods/burstable/pod55", "55", "c3")]
    public void Kubelet_paths_of_both_cgroup_drivers_give_the_class_pod_and_container(string path, KubeQosClass qos, string podPath, string uid, string? container)
    {
        Assert.True(KubePodPath.TryParse(path, out KubePodPath pod));
        Assert.Equal(new KubePodPath(qos, podPath, uid, container), pod);
    }

    [Theory]
    [InlineData("/kubepods.slice")]
    [InlineData("/kubepods.slice/kubepods-burstable.slice")]
    [InlineData("/kubepods/besteffort")]
    [InlineData("/kubepods/burstable/notapod/c")]
    [InlineData("/kubepods.slice/kubepods-burstable.slice/kubepods-besteffort-podx.slice")]
    [InlineData("/system.slice/kubelet.service")]
    [InlineData("/")]
    public void Paths_that_are_not_inside_a_pod_are_refused(string path) => Assert.False(KubePodPath.TryParse(path, out _));
}
