using Reapd.Core.Cgroups;

namespace Reapd.Core.Tests.Cgroups;

public sealed class UnitGroupOrderTests
{
    private static UnitGroup Unit(string path, long usageMib, long lowMib = 0, long minMib = 0, double pressure = 0,
        OomdPreference preference = OomdPreference.None) => new(path)
        {
            UsageBytes = usageMib << 20,
            LowBytes = lowMib << 20,
            MinBytes = minMib << 20,
            PressureSomeAvg10 = pressure,
            Preference = preference,
            Candidates = 1,
        };

    private static UnitGroup Pod(string path, long usageMib, long? requestMib)
    {
        Assert.True(KubePodPath.TryParse(path, out KubePodPath pod));
        UnitGroup group = Unit(path, usageMib);
        group.Pod = pod;
        group.RequestBytes = requestMib << 20;
        return group;
    }

    private static string[] Ordered(CgroupChoiceRule rule, bool kubernetes, params UnitGroup[] groups)
    {
        List<UnitGroup> list = [.. groups];
        UnitGroupOrder.Sort(list, rule, kubernetes);
        return [.. list.Select(g => g.Path)];
    }

    [Fact]
    public void The_unit_most_over_its_protection_goes_first_not_the_largest()
    {
        // db uses most but 700 of its 800 MiB are protected by memory.low; web is 300 MiB over nothing.
        string[] order = Ordered(CgroupChoiceRule.UsageOverProtection, false,
            Unit("/system.slice/db.service", 800, lowMib: 700),
            Unit("/system.slice/web.service", 300),
            Unit("/system.slice/cron.service", 50, minMib: 100));
        Assert.Equal(["/system.slice/web.service", "/system.slice/db.service", "/system.slice/cron.service"], order);
    }

    [Fact]
    public void Units_only_a_little_over_their_protection_go_after_by_usage_so_a_tiny_unit_is_not_chosen_first()
    {
        // What the systemd guest showed: after the grower died, journald (10 MiB over nothing) was chosen before
        // low.service (450 MiB under a 900 MiB memory.low). With a 24 MiB significance floor neither is significant,
        // and the one that holds the memory goes first; a unit well over its protection still leads.
        List<UnitGroup> list =
        [
            Unit("/system.slice/systemd-journald.service", 10),
            Unit("/system.slice/systemd-timesyncd.service", 2),
            Unit("/a.slice/low.service", 450, lowMib: 900),
        ];
        UnitGroupOrder.Sort(list, CgroupChoiceRule.UsageOverProtection, false, 24L << 20);
        Assert.Equal(["/a.slice/low.service", "/system.slice/systemd-journald.service", "/system.slice/systemd-timesyncd.service"], list.Select(g => g.Path));

        list.Add(Unit("/b.slice/grow.service", 120));
        UnitGroupOrder.Sort(list, CgroupChoiceRule.UsageOverProtection, false, 24L << 20);
        Assert.Equal("/b.slice/grow.service", list[0].Path);
        Assert.Equal("/a.slice/low.service", list[1].Path);
    }

    [Fact]
    public void Under_a_pressure_trigger_the_unit_with_the_most_pressure_goes_first()
    {
        string[] order = Ordered(CgroupChoiceRule.Pressure, false,
            Unit("/system.slice/big.service", 900, pressure: 1.5),
            Unit("/system.slice/stalling.service", 200, pressure: 40));
        Assert.Equal(["/system.slice/stalling.service", "/system.slice/big.service"], order);
    }

    [Fact]
    public void An_avoided_unit_goes_after_every_other_even_when_largest()
    {
        string[] order = Ordered(CgroupChoiceRule.UsageOverProtection, false,
            Unit("/system.slice/avoid.service", 5000, preference: OomdPreference.Avoid),
            Unit("/system.slice/small.service", 10));
        Assert.Equal(["/system.slice/small.service", "/system.slice/avoid.service"], order);
    }

    [Fact]
    public void Pods_go_best_effort_then_burstable_by_usage_over_request_then_the_node_then_guaranteed()
    {
        string[] order = Ordered(CgroupChoiceRule.UsageOverProtection, true,
            Pod("/kubepods.slice/kubepods-podg.slice", 3000, 3000),
            Unit("/system.slice/containerd.service", 400),
            Pod("/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-podsmall.slice", 900, 800),    // 100 over
            Pod("/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-podover.slice", 500, 100),     // 400 over
            Pod("/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-podbe.slice", 20, 0));
        Assert.Equal([
            "/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-podbe.slice",
            "/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-podover.slice",
            "/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-podsmall.slice",
            "/system.slice/containerd.service",
            "/kubepods.slice/kubepods-podg.slice",
        ], order);
    }

    [Fact]
    public void Without_kubernetes_ranking_pods_are_units_like_any_other()
    {
        string[] order = Ordered(CgroupChoiceRule.UsageOverProtection, false,
            Pod("/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-podbe.slice", 20, 0),
            Pod("/kubepods.slice/kubepods-podg.slice", 3000, 3000));
        Assert.Equal(["/kubepods.slice/kubepods-podg.slice", "/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-podbe.slice"], order);
    }

    [Fact]
    public void Usage_under_protection_counts_as_zero_over_it() =>
        Assert.Equal(0, Unit("/a.service", 100, lowMib: 300).OverProtectionBytes);
}
