using Reapd.Announce;
using Reapd.Config;
using Reapd.Core.Daemon;
using Reapd.Core.Policy;
using Reapd.Daemon;

namespace Reapd.Tests.Config;

/// <summary>
/// reapd.toml as the reader sees it: one row per kind of mistake with the exact FILE:LINE:COL message, every problem
/// reported at once and in file order, and a file that sets every key mapped to every setting.
/// </summary>
public sealed class ConfigReaderTests
{
    private const string File = "reapd.toml";

    /// <summary>The tests' users: alice is 1000, nobody else exists (the machine's /etc/passwd is never consulted).</summary>
    private static uint? Users(string name) => name == "alice" ? 1000u : null;

    private static ConfigLoad Read(string text) => ConfigReader.Read(text, File, Users);

    public static TheoryData<string, string, string> Mistakes => new()
    {
        // ---- TOML itself (Tomlyn's diagnostics, positions from 1) ----
        { "a missing value", "[memory]\nterm_percent =\n", "reapd.toml:2:15: Unexpected token end-of-line found while expecting a value" },
        { "a duplicate key", "[memory]\nterm_percent = 10\nterm_percent = 12\n", "reapd.toml:3:1: The key `memory.term_percent` is already defined at (2,1) with `term_percent = 10` and cannot be redefined; expected each key and table once" },
        { "a duplicate table", "[memory]\n[memory]\n", "reapd.toml:2:1: The key `memory` is already defined at (1,1) with `[memory]` and cannot be redefined; expected each key and table once" },
        { "an unterminated string", "[guard]\ncgroup = \"/a\n", "reapd.toml:2:13: Invalid newline in a string; expected TOML (https://toml.io)\nreapd.toml:2:13: Invalid End-Of-File found on string literal; expected TOML (https://toml.io)" },
        // ---- tables and keys that do not exist ----
        { "an unknown table", "[memroy]\n", "reapd.toml:1:2: unknown table [memroy]; expected one of [memory], [swap], [psi], [kill], [sampling], [choice], [guard], [output], [metrics], [notify] or [[rule]]" },
        { "an unknown key", "[kill]\ngraec = \"1s\"\n", "reapd.toml:2:1: unknown key 'graec' in [kill]; expected one of grace, settle_timeout, stuck_grace, shmem_exit_wait, reap_slow_report, scope, dry_run" },
        { "an unknown dotted key", "[memory]\nterm.percent = 10\n", "reapd.toml:2:1: unknown key 'term.percent' in [memory]; expected one of term_percent, kill_percent" },
        { "a key outside any table", "term_percent = 10\n", "reapd.toml:1:1: unknown key 'term_percent' outside any table; expected a table such as [memory] first" },
        { "a dotted key of an unknown table", "memroy.term_percent = 10\n", "reapd.toml:1:1: unknown table 'memroy' in key 'memroy.term_percent'; expected one of [memory], [swap], [psi], [kill], [sampling], [choice], [guard], [output], [metrics], [notify]" },
        { "a table given a value", "memory = 10\n", "reapd.toml:1:1: [memory] is a table; expected its keys under a [memory] line" },
        { "a sub-table of a known table", "[memory.extra]\n", "reapd.toml:1:2: unknown table [memory.extra]; expected one of [memory], [swap], [psi], [kill], [sampling], [choice], [guard], [output], [metrics], [notify] or [[rule]]" },
        { "an unknown table array", "[[rules]]\naction = \"prefer\"\n", "reapd.toml:1:3: unknown table array [[rules]]; expected [[rule]] or one of the tables [memory], [swap], [psi], [kill], [sampling], [choice], [guard], [output], [metrics], [notify]" },
        { "a rule as a single table", "[rule]\naction = \"prefer\"\n", "reapd.toml:1:2: [rule] is a single table; expected [[rule]] (one double-bracketed table per rule)" },
        // ---- wrong types ----
        { "a percentage as a string", "[memory]\nterm_percent = \"10%\"\n", "reapd.toml:2:16: memory.term_percent is the string \"10%\"; expected a number above 0 and below 100" },
        { "a percentage that is not finite", "[memory]\nterm_percent = inf\n", "reapd.toml:2:16: memory.term_percent is the float Infinity; expected a number above 0 and below 100" },
        { "a duration as a number", "[kill]\ngrace = 3\n", "reapd.toml:2:9: kill.grace is the integer 3; expected a duration as a string like \"500ms\", \"3s\" or \"2m\"" },
        { "a duration that is not one", "[kill]\nsettle_timeout = \"soon\"\n", "reapd.toml:2:18: kill.settle_timeout \"soon\" is not a duration; expected a duration of at least 1ms as a string like \"500ms\", \"3s\" or \"2m\"" },
        { "a boolean as a string", "[swap]\nzram_aware = \"yes\"\n", "reapd.toml:2:14: swap.zram_aware is the string \"yes\"; expected true or false" },
        { "a choice that is not one", "[kill]\nscope = \"everything\"\n", "reapd.toml:2:9: kill.scope \"everything\" is not a choice; expected \"process\", \"process-group\", \"subtree\" or \"cgroup\"" },
        { "off misspelt", "[psi]\nfull_percent = \"of\"\n", "reapd.toml:2:16: psi.full_percent is the string \"of\"; expected a number above 0 and at most 100, or \"off\"" },
        { "a list as a string", "[choice]\nprotect = \"sshd\"\n", "reapd.toml:2:11: choice.protect is the string \"sshd\"; expected an array of process names (comm) like [\"a\", \"b\"]" },
        { "a list item of the wrong type", "[choice]\nprotect = [\"sshd\", 7]\n", "reapd.toml:2:20: an item of choice.protect is the integer 7; expected process names (comm)" },
        { "an integer as a float", "[sampling]\nassumed_allocation_mib_per_second = 1.5\n", "reapd.toml:2:37: sampling.assumed_allocation_mib_per_second is the float 1.5; expected a whole number from 1 to 1073741824" },
        // ---- values out of range ----
        { "a percentage of 100", "[memory]\nterm_percent = 100\n", "reapd.toml:2:16: memory.term_percent 100 is out of range; expected a number above 0 and below 100" },
        { "a percentage of 0", "[memory]\nkill_percent = 0\n", "reapd.toml:2:16: memory.kill_percent 0 is out of range; expected a number above 0 and below 100" },
        { "a PSI window longer than the kernel allows", "[psi]\nfull_window = \"20s\"\n", "reapd.toml:2:15: psi.full_window \"20s\" is out of range; expected a duration from 500ms to 10s as a string like \"500ms\", \"3s\" or \"2m\"" },
        { "a settle timeout of zero", "[kill]\nsettle_timeout = \"0s\"\n", "reapd.toml:2:18: kill.settle_timeout \"0s\" is out of range; expected a duration of at least 1ms as a string like \"500ms\", \"3s\" or \"2m\"" },
        { "a process name longer than comm", "[choice]\nprotect = [\"a-very-long-process-name\"]\n", "reapd.toml:2:12: choice.protect: \"a-very-long-process-name\" is longer than 15 bytes and can never match; expected the name as /proc/PID/comm shows it" },
        // ---- settings that do not fit together ----
        { "the kill level above the term level", "[memory]\nterm_percent = 10\nkill_percent = 12\n", "reapd.toml:3:16: memory.kill_percent 12 is above memory.term_percent 10; expected at most the term level" },
        { "the term level below the default kill level", "[memory]\nterm_percent = 4\n", "reapd.toml:2:16: memory.kill_percent 5 is above memory.term_percent 4; expected at most the term level" },
        { "the swap kill level above the swap term level", "[swap]\nterm_percent = 20\nkill_percent = 30\n", "reapd.toml:3:16: swap.kill_percent 30 is above swap.term_percent 20; expected at most the swap term level" },
        { "the shortest interval above the longest", "[sampling]\nmin_interval = \"2s\"\n", "reapd.toml:2:16: sampling.min_interval 2s is longer than sampling.max_interval 1s; expected at most the longest interval" },
        // ---- run settings ----
        { "a metrics file that is not *.prom", "[metrics]\nfile = \"/tmp/reapd.txt\"\n", "reapd.toml:2:8: metrics.file \"/tmp/reapd.txt\" is not a *.prom file by absolute path; expected an absolute path ending in .prom (node_exporter's textfile collector reads only those)" },
        { "a metrics file in a missing directory", "[metrics]\nfile = \"/nonexistent-reapd-dir/reapd.prom\"\n", "reapd.toml:2:8: metrics.file \"/nonexistent-reapd-dir/reapd.prom\": directory /nonexistent-reapd-dir does not exist; expected a file in an existing directory" },
        { "a listen address without a port", "[metrics]\nlisten = \"127.0.0.1\"\n", "reapd.toml:2:10: metrics.listen \"127.0.0.1\" is not an address and port; expected an IP address and a port like \"127.0.0.1:9749\" or \"[::1]:9749\"" },
        { "a hook by relative path", "[notify]\nhook_before_kill = \"hook.sh\"\n", "reapd.toml:2:20: notify.hook_before_kill \"hook.sh\" is not an absolute path; expected the absolute path of an executable file (run without a shell or arguments)" },
        { "a hook that does not exist", "[notify]\nhook_after_kill = \"/nonexistent-reapd-hook\"\n", "reapd.toml:2:19: notify.hook_after_kill \"/nonexistent-reapd-hook\" no such file; expected the absolute path of an executable file (run without a shell or arguments)" },
        { "an empty cgroup", "[guard]\ncgroup = \"\"\n", "reapd.toml:2:10: guard.cgroup is empty; expected a cgroup directory or a path as /proc/PID/cgroup shows it" },
        { "a relative state directory", "[guard]\nstate_dir = \"run/reapd\"\n", "reapd.toml:2:13: guard.state_dir \"run/reapd\" is not an absolute path; expected a directory by absolute path" },
        // ---- rules ----
        { "a rule without an action", "[[rule]]\ncomm = \"firefox\"\n", "reapd.toml:1:1: rule 1 has no action; expected action = \"prefer\", \"avoid\", \"protect\" or \"ignore\"" },
        { "a rule with an unknown action", "[[rule]]\naction = \"kill\"\ncomm = \"firefox\"\n", "reapd.toml:2:10: rule 1 action \"kill\" is not a choice; expected \"prefer\", \"avoid\", \"protect\" or \"ignore\"" },
        { "a rule that matches everything", "[[rule]]\nname = \"all\"\naction = \"avoid\"\n", "reapd.toml:1:1: rule 1 ('all') matches every process; expected at least one of comm, cmdline, exe, cgroup, user" },
        { "a rule with an unknown key", "[[rule]]\naction = \"avoid\"\ncommand = \"x\"\n", "reapd.toml:3:1: unknown key 'command' in [[rule]]; expected one of name, action, comm, cmdline, cmdline_not, exe, cgroup, user, adjust, scale, scope" },
        { "a rule pattern that does not compile (column in the pattern)", "[[rule]]\naction = \"prefer\"\ncmdline = 'java (-jar'\n", "reapd.toml:3:21: rule 1 cmdline is not a valid regular expression (insufficient closing parentheses); expected a .NET regular expression" },
        { "a rule pattern that needs backtracking", "[[rule]]\naction = \"prefer\"\ncmdline = '(a)\\1'\n", "reapd.toml:3:11: rule 1 cmdline needs backtracking (a backreference, lookaround or atomic group); expected a regular expression without them" },
        { "a rule for a user who does not exist", "[[rule]]\naction = \"avoid\"\nuser = \"mallory\"\n", "reapd.toml:3:8: rule 1 user \"mallory\" is not a user of this machine; expected a name from /etc/passwd or a numeric uid" },
        { "a rule adjust out of range", "[[rule]]\naction = \"prefer\"\ncomm = \"x\"\nadjust = 2000\n", "reapd.toml:4:10: rule 1 adjust 2000 is out of range; expected a whole number from -1000 to 1000" },
        { "a rule scale of zero", "[[rule]]\naction = \"prefer\"\ncomm = \"x\"\nscale = 0\n", "reapd.toml:4:9: rule 1 scale 0 is out of range; expected a number above 0 (badness is multiplied by it)" },
        { "an adjust on a protect rule", "[[rule]]\naction = \"protect\"\ncomm = \"sshd\"\nadjust = -500\n", "reapd.toml:4:1: rule 1: adjust and scale change the ranking, which a protect rule takes the process out of; expected them only with prefer or avoid" },
        { "a rule comm longer than the kernel keeps", "[[rule]]\naction = \"avoid\"\ncomm = \"a-very-long-process-name\"\n", "reapd.toml:3:8: rule 1 comm \"a-very-long-process-name\" is longer than 15 bytes and can never match; expected the name as /proc/PID/comm shows it (cut to 15 bytes)" },
        { "a rule exe by relative path", "[[rule]]\naction = \"avoid\"\nexe = \"firefox\"\n", "reapd.toml:3:7: rule 1 exe \"firefox\" is not an absolute path; expected a path like /usr/bin/firefox (globs * ? [ allowed)" },
        // Found by the config fuzz target: the reader took them, the rule engine refused them ('reapd ls' aborted).
        { "a rule cgroup glob with an unclosed bracket", "[[rule]]\naction = \"avoid\"\ncgroup = \"/system.slice/*J[*\"\n", "reapd.toml:3:10: rule 1 cgroup \"/system.slice/*J[*\" is not a valid glob (the glob '/system.slice/*J[*' has a '[' without a closing ']'); expected a path from the cgroup root like /system.slice/*.service" },
        { "a rule exe glob with a reversed range", "[[rule]]\naction = \"avoid\"\nexe = \"/usr/bin/[z-a]\"\n", "reapd.toml:3:7: rule 1 exe \"/usr/bin/[z-a]\" is not a valid glob (reversed character range); expected a path like /usr/bin/firefox (globs * ? [ allowed)" },
        { "a rule cgroup not from the root", "[[rule]]\naction = \"avoid\"\ncgroup = \"system.slice/*\"\n", "reapd.toml:3:10: rule 1 cgroup \"system.slice/*\" is not a cgroup path; expected a path from the cgroup root like /system.slice/*.service" },
        { "rules written as an array", "rule = [{ action = \"avoid\", comm = \"x\" }]\n", "reapd.toml:1:1: rules are written as [[rule]] tables; expected [[rule]] with its keys on the lines below" },
    };

    [Theory]
    [MemberData(nameof(Mistakes))]
    public void Each_kind_of_mistake_is_reported_with_its_file_line_column_and_what_was_expected(string kind, string text, string expected)
    {
        ConfigLoad load = Read(text);
        Assert.False(load.Ok, kind);
        Assert.Null(load.Options);
        Assert.Equal(expected, string.Join("\n", load.Problems));
    }

    [Fact]
    public void Every_problem_of_a_file_is_reported_at_once_in_file_order()
    {
        ConfigLoad load = Read("""
            [memory]
            kill_percent = 12

            [kill]
            grace = 3
            scope = "everything"

            [[rule]]
            action = "prefer"

            [memroy]
            """);
        Assert.Equal(
            [
                "reapd.toml:2:16: memory.kill_percent 12 is above memory.term_percent 10; expected at most the term level",
                "reapd.toml:5:9: kill.grace is the integer 3; expected a duration as a string like \"500ms\", \"3s\" or \"2m\"",
                "reapd.toml:6:9: kill.scope \"everything\" is not a choice; expected \"process\", \"process-group\", \"subtree\" or \"cgroup\"",
                "reapd.toml:8:1: rule 1 matches every process; expected at least one of comm, cmdline, exe, cgroup, user",
                "reapd.toml:11:2: unknown table [memroy]; expected one of [memory], [swap], [psi], [kill], [sampling], [choice], [guard], [output], [metrics], [notify] or [[rule]]",
            ],
            load.Problems.Select(p => p.ToString()));
    }

    [Fact]
    public void An_empty_file_gives_exactly_the_built_in_defaults()
    {
        ConfigLoad load = Read("# nothing set\n");
        Assert.True(load.Ok);
        Assert.Equal(EffectiveSettings.Render(RunOptions.Defaults), EffectiveSettings.Render(load.Options!));
        Assert.Equal(new DaemonConfig() with { ProtectedNames = load.Options!.Config.ProtectedNames, Rules = load.Options.Config.Rules }, load.Options.Config);
        Assert.Empty(load.Options.Config.ProtectedNames);
        Assert.Empty(load.Options.Config.Rules);
    }

    [Fact]
    public void A_file_that_sets_every_key_sets_every_setting()
    {
        string hook = Environment.ProcessPath!;
        string dir = Path.GetTempPath().TrimEnd('/');
        ConfigLoad load = Read($"""
            [memory]
            term_percent = 12.5
            kill_percent = 6
            [swap]
            term_percent = 30
            kill_percent = 15
            zram_aware = true
            combination = "any-of"
            [psi]
            full_percent = 70
            full_window = "4s"
            full_duration = "2s"
            some_percent = 40
            some_window = "6s"
            some_duration = "1.5s"
            thrash_percent = 55
            thrash_window = "2s"
            thrash_duration = "500ms"
            thrash_refault_rate = 1000
            [kill]
            grace = "2s"
            settle_timeout = "7s"
            stuck_grace = "1500ms"
            shmem_exit_wait = "3s"
            reap_slow_report = "2s"
            scope = "process-group"
            dry_run = true
            [sampling]
            max_interval = "2s"
            min_interval = "5ms"
            in_flight_interval = "20ms"
            scan_deadline = "250ms"
            assumed_allocation_mib_per_second = 4096
            [choice]
            protect = ["sshd", "systemd-journal"]
            desktop_defaults = false
            cgroup_first = "on"
            kubernetes = "off"
            [guard]
            cgroup = "/sys/fs/cgroup/memory/test"
            state_dir = "{dir}"
            [output]
            json = true
            [metrics]
            file = "{dir}/reapd.prom"
            listen = "[::1]:9749"
            [notify]
            desktop = "off"
            hook_before_kill = "{hook}"
            hook_after_kill = "{hook}"
            hook_timeout = "4s"
            """);
        Assert.Empty(load.Problems);
        RunOptions o = load.Options!;
        DaemonConfig c = o.Config;
        Assert.Equal((12.5, 6.0, 30.0, 15.0, true, ThresholdCombination.AnyOf), (c.TermPercent, c.KillPercent, c.SwapTermPercent!.Value, c.SwapKillPercent!.Value, c.ZramAware, c.Combination));
        Assert.Equal((70.0, 4000L, 2000L, 40.0, 6000L, 1500L), (c.PsiFullPercent!.Value, c.PsiFullWindowMs, c.PsiFullDurationMs, c.PsiSomePercent!.Value, c.PsiSomeWindowMs, c.PsiSomeDurationMs));
        Assert.Equal((55.0, 2000L, 500L, 1000.0), (c.ThrashFullPercent!.Value, c.ThrashWindowMs, c.ThrashDurationMs, c.ThrashRefaultsPerSecond));
        Assert.Equal((2000L, 7000L, 1500L, 3000L, 2000L, KillScope.ProcessGroup, true), (c.GraceMs, c.SettleTimeoutMs, c.StuckGraceMs, c.ShmemExitWaitMs, c.ReapSlowReportMs, c.KillScope, c.DryRun));
        Assert.Equal((2000, 5, 20, 250, 4096L << 20), (c.MaxIntervalMs, c.MinIntervalMs, c.InFlightIntervalMs, c.ScanDeadlineMs, c.AssumedAllocationBytesPerSecond));
        Assert.Equal(dir, c.StateDirectory);
        Assert.Equal(["sshd", "systemd-journal"], c.ProtectedNames);
        Assert.Equal((false, ChoiceMode.On, ChoiceMode.Off), (c.DesktopDefaults, c.CgroupFirst, c.Kubernetes));
        Assert.Equal(("/sys/fs/cgroup/memory/test", true, $"{dir}/reapd.prom", "[::1]:9749"), (o.CgroupPath, o.Json, o.MetricsFile, o.MetricsListen!.ToString()));
        Assert.Equal(new AnnounceOptions(DesktopNotifyMode.Off, hook, hook, 4000), o.Announce);
        // Every key the reader knows was set away from its default, so every one renders differently.
        Assert.Equal(ConfigKeys.All.Select(k => k.Name), EffectiveSettings.Changed(RunOptions.Defaults, o));
    }

    [Fact]
    public void Rules_become_policy_rules_in_file_order_with_their_positions_and_resolved_users()
    {
        ConfigLoad load = Read("""
            [[rule]]
            name = "tabs"
            action = "prefer"
            cmdline = '--type=renderer'
            cmdline_not = '--extension-process'
            scale = 2.5
            adjust = 300
            scope = "subtree"

            [[rule]]
            action = "protect"
            user = "alice"
            exe = "/usr/lib/postgresql/*/bin/postgres"

            [[rule]]
            action = "ignore"
            user = 33
            cgroup = "/system.slice/**"
            comm = "helper"
            """);
        Assert.Empty(load.Problems);
        IReadOnlyList<PolicyRule> rules = load.Options!.Config.Rules;
        Assert.Equal(3, rules.Count);
        Assert.Equal(new PolicyRule("tabs", RuleAction.Prefer, new RuleMatch { Cmdline = "--type=renderer", CmdlineNot = "--extension-process" }, new SourcePosition(File, 1, 1))
        {
            Adjust = 300,
            Scale = 2.5,
            KillScope = KillScope.Subtree,
        }, rules[0]);
        Assert.Equal(new PolicyRule("rule 2", RuleAction.Protect, new RuleMatch { User = "alice", Uid = 1000, Exe = "/usr/lib/postgresql/*/bin/postgres" }, new SourcePosition(File, 10, 1)), rules[1]);
        Assert.Equal(new RuleMatch { User = "33", Uid = 33, Cgroup = "/system.slice/**", Comm = "helper" }, rules[2].Match);
        Assert.Equal(RuleAction.Ignore, rules[2].Action);
    }

    [Fact]
    public void Dotted_keys_and_inline_tables_are_the_same_keys_as_written_out()
    {
        ConfigLoad load = Read("""
            memory.term_percent = 20
            kill = { grace = "1s", scope = "cgroup" }
            [psi]
            full_percent = "off"
            """);
        Assert.Empty(load.Problems);
        Assert.Equal((20.0, 1000L, KillScope.Cgroup, (double?)null), (load.Options!.Config.TermPercent, load.Options.Config.GraceMs, load.Options.Config.KillScope, load.Options.Config.PsiFullPercent));
    }

    [Fact]
    public void A_user_name_is_resolved_from_a_passwd_file()
    {
        string passwd = Path.GetTempFileName();
        try
        {
            System.IO.File.WriteAllText(passwd, "root:x:0:0:root:/root:/bin/bash\nalice:x:1000:1000::/home/alice:/bin/sh\nbroken-line\n");
            Assert.Equal(1000u, PasswdUsers.Resolve("alice", passwd));
            Assert.Equal(0u, PasswdUsers.Resolve("root", passwd));
            Assert.Null(PasswdUsers.Resolve("bob", passwd));
            Assert.Null(PasswdUsers.Resolve("alice", passwd + ".missing"));
        }
        finally
        {
            System.IO.File.Delete(passwd);
        }
    }

    [Fact]
    public void A_missing_file_given_by_name_is_one_problem_and_an_absent_default_file_is_the_defaults()
    {
        string path = Path.Combine(Path.GetTempPath(), $"reapd-missing-{Guid.NewGuid():N}.toml");
        ConfigLoad load = ConfigFile.Load(path);
        Assert.Equal($"{path}:1:1: no such file; expected a configuration file (docs/config.md)", Assert.Single(load.Problems).ToString());
        Assert.SkipWhen(System.IO.File.Exists(ConfigFile.DefaultPath), $"{ConfigFile.DefaultPath} exists on this machine");
        ConfigLoad none = ConfigFile.Load(null);
        Assert.True(none.Ok);
        Assert.Null(none.File);
        Assert.Same(RunOptions.Defaults, none.Options);
    }

    [Fact]
    public void A_file_that_is_not_UTF8_is_one_problem()
    {
        string path = Path.GetTempFileName();
        try
        {
            System.IO.File.WriteAllBytes(path, [(byte)'#', 0xff, 0xfe, (byte)'\n']);
            Assert.Equal($"{path}:1:1: is not UTF-8 text; expected a TOML file in UTF-8", Assert.Single(ConfigFile.Load(path).Problems).ToString());
        }
        finally
        {
            System.IO.File.Delete(path);
        }
    }
}
