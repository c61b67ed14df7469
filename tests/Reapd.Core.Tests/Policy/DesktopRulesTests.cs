using System.Text;
using Reapd.Core.Daemon;
using Reapd.Core.Policy;
using Reapd.Core.Selection;

namespace Reapd.Core.Tests.Policy;

public sealed class DesktopRulesTests
{
    private static readonly RuleSet s_rules = RuleSet.Compile(RuleSet.RulesOf(new DaemonConfig()));

    public static TheoryData<string, Facts, string> Processes => new()
    {
        { "chrome renderer", new("chrome", "/opt/google/chrome/chrome --type=renderer --crashpad-handler-pid=9 --lang=en-US"), "prefer" },
        { "electron utility", new("code", "/usr/share/code/code --type=utility --utility-sub-type=node.mojom.NodeService"), "prefer" },
        { "chrome main", new("chrome", "/opt/google/chrome/chrome --restore-last-session"), "avoid" },
        { "chromium main without arguments", new("chromium", "/usr/lib/chromium/chromium"), "avoid" },
        { "chrome gpu process is left alone", new("chrome", "/opt/google/chrome/chrome --type=gpu-process --field-trial-handle=1"), "none" },
        { "chrome zygote is left alone", new("chrome", "/opt/google/chrome/chrome --type=zygote --no-zygote-sandbox"), "none" },
        { "firefox content", new("Isolated Web Co", "/usr/lib/firefox-esr/firefox-esr -contentproc -childID 4 -isForBrowser"), "prefer" },
        { "firefox web content", new("Web Content", "/usr/lib/firefox/firefox -contentproc -childID 1"), "prefer" },
        { "firefox extensions", new("WebExtensions", "/usr/lib/firefox/firefox -contentproc -childID 2"), "prefer" },
        { "firefox main", new("firefox-esr", "/usr/lib/firefox-esr/firefox-esr"), "avoid" },
        { "Xorg", new("Xorg", "/usr/lib/xorg/Xorg :0 -seat seat0 vt2"), "protect" },
        { "gnome-shell", new("gnome-shell", "/usr/bin/gnome-shell"), "protect" },
        { "gdm-session-worker cut to 15 bytes", new("gdm-session-wor", "gdm-session-worker [pam/gdm-password]"), "protect" },
        { "systemd --user", new("systemd", "/lib/systemd/systemd --user", Uid: 1000), "protect" },
        { "a container's systemd init is not a user manager", new("systemd", "/sbin/init"), "none" },
        { "dbus-broker-launch cut to 15 bytes", new("dbus-broker-lau", "/usr/bin/dbus-broker-launch --scope user"), "protect" },
        { "pipewire", new("pipewire", "/usr/bin/pipewire"), "protect" },
        { "sshd", new("sshd", "sshd: /usr/sbin/sshd -D [listener] 0 of 10-100 startups"), "protect" },
        { "a shell", new("bash", "-bash"), "none" },
    };

    [Theory]
    [MemberData(nameof(Processes))]
    public void The_desktop_rules_rank_browsers_children_first_and_protect_the_session(string what, Facts facts, string expected)
    {
        RuleHits hits = default;
        long badness = s_rules.Apply(facts.View(Encoding.UTF8.GetBytes(facts.Comm)), 1_000_000, 6_000_000, ref hits, out ExclusionReason excluded);
        string outcome = excluded switch
        {
            ExclusionReason.Protected => "protect",
            ExclusionReason.Ignored => "ignore",
            _ when badness > 1_000_000 => "prefer",
            _ when badness < 1_000_000 => "avoid",
            _ => "none",
        };
        Assert.True(expected == outcome, $"{what}: expected {expected}, got {outcome} ({s_rules.NamesOf(hits)})");
        Assert.Equal(expected == "none" ? 0 : 1, hits.Total);
    }

    [Fact]
    public void Every_desktop_comm_fits_the_kernels_15_bytes()
    {
        foreach (PolicyRule rule in DesktopRules.All)
        {
            Assert.True(rule.Match.Comm is null || Encoding.UTF8.GetByteCount(rule.Match.Comm) <= ProtectedNames.CommMaxBytes, rule.Name);
            Assert.True(rule.Where.IsBuiltIn);
        }
    }

    [Fact]
    public void The_desktop_rules_come_after_the_configurations_and_go_when_turned_off()
    {
        PolicyRule mine = new("mine", RuleAction.Protect, new RuleMatch { Comm = "chrome" }, new SourcePosition("a.toml", 1, 1));
        IReadOnlyList<PolicyRule> on = RuleSet.RulesOf(new DaemonConfig { Rules = [mine] });
        Assert.Same(mine, on[0]);
        Assert.Equal(1 + DesktopRules.All.Count, on.Count);
        Assert.Equal([mine], RuleSet.RulesOf(new DaemonConfig { Rules = [mine], DesktopDefaults = false }));
    }
}
