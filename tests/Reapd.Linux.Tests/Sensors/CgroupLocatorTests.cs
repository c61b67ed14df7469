using Reapd.Linux.Sensors;
using Reapd.Testing;

namespace Reapd.Linux.Tests.Sensors;

public sealed class CgroupLocatorTests
{
    [Fact]
    public void A_v1_cgroup_is_found_by_its_directory_and_by_its_path_in_the_hierarchy()
    {
        using TestCgroup cgroup = TestCgroup.Create(16L << 20, "locate");
        CgroupTarget? byDirectory = CgroupLocator.Resolve(cgroup.Path, out string? problem);
        Assert.Null(problem);
        Assert.Equal(new CgroupTarget(cgroup.Path, CgroupVersion.V1, cgroup.RelativePath), byDirectory);

        CgroupTarget? byRelative = CgroupLocator.Resolve(cgroup.RelativePath, out problem);
        Assert.Null(problem);
        Assert.Equal(byDirectory, byRelative);
    }

    [Fact]
    public void A_missing_cgroup_is_one_line_naming_the_path()
    {
        CgroupTarget? target = CgroupLocator.Resolve("/no/such/reapd-cgroup", out string? problem);
        Assert.Null(target);
        Assert.NotNull(problem);
        Assert.StartsWith("cgroup '/no/such/reapd-cgroup' not found", problem);
        Assert.DoesNotContain('\n', problem);
    }
}
