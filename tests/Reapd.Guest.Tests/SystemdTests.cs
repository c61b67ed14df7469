using System.Globalization;
using System.Text.Json;
using Reapd.Testing;

namespace Reapd.Guest.Tests;

/// <summary>
/// reapd under systemd 252 as PID 1 in the guest (cgroup v2 unified, as systemd sets it up), started from the unit file
/// the repository ships, guarding the whole guest.
/// </summary>
public sealed class SystemdTests
{
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, Lazy<IReadOnlyDictionary<string, GuestRun>>> s_boots = new();

    [Theory]
    [InlineData("6.1")]
    [InlineData("6.12")]
    public void A_process_reapd_kills_inside_a_service_is_that_units_failure_with_the_signal_as_reason(string kernel)
    {
        GuestRun run = Boot(kernel)["systemd"];
        run.Check(() =>
        {
            Assert.Equal("systemd", run.Result("pid1"));
            Assert.Equal("cgroup2fs", run.Result("cgroup_fs"));
            Assert.Equal("active", run.Result("reapd_state"));
            Assert.Equal("/system.slice/reapd.service", run.Result("reapd_cgroup"));
            Assert.Equal(-900, run.ResultNumber("reapd_adj"));
            Assert.Equal("/system.slice/victim.service", run.Result("victim_cgroup"));

            // systemd's view: the unit failed because its main process was killed by SIGKILL.
            Assert.Equal("failed", run.Result("victim_active"));
            Assert.Equal("signal", run.Result("victim_result"));
            Assert.Equal(2, run.ResultNumber("victim_exec_code")); // CLD_KILLED
            Assert.Equal(9, run.ResultNumber("victim_exec_status"));
            Assert.Contains("status=9/KILL", run.File("victim.journal"), StringComparison.Ordinal);
            Assert.Contains("Failed with result 'signal'", run.File("victim.journal"), StringComparison.Ordinal);

            // reapd's view, in the journal: it sent that SIGKILL, and is still running.
            long victim = run.ResultNumber("victim_pid");
            List<string> messages = [.. JournalMessages(run.File("reapd.journal.json"))];
            Assert.Contains(messages, m => m.StartsWith("signal ", StringComparison.Ordinal) && m.Contains($"pid={victim} ", StringComparison.Ordinal) && m.Contains("signal=SIGKILL", StringComparison.Ordinal));
            Assert.All(messages.Where(m => m.StartsWith("signal ", StringComparison.Ordinal)), m => Assert.Contains($"pid={victim} ", m, StringComparison.Ordinal));
            Assert.Equal("active", run.Result("reapd_state_after"));
            Assert.Equal(run.ResultNumber("oom_kills_before"), run.ResultNumber("oom_kills_after"));
        });
    }

    /// <summary>
    /// reapd's events are native journal entries (stdout is the journal): the issue's query finds the kill, with the
    /// victim's pid and name as fields of their own, and `journalctl -o cat` still reads as the text lines.
    /// </summary>
    [Theory]
    [InlineData("6.1")]
    [InlineData("6.12")]
    public void The_kill_is_a_journal_entry_that_REAPD_EVENT_kill_finds_with_the_victims_pid_and_name(string kernel)
    {
        GuestRun run = Boot(kernel)["systemd"];
        run.Check(() =>
        {
            long victim = run.ResultNumber("victim_pid");
            string comm = run.Result("victim_comm") ?? "(no comm)";
            Assert.StartsWith("hog", comm, StringComparison.Ordinal);

            // `journalctl -u reapd.service REAPD_EVENT=kill -o json`: the one kill, its fields of its own.
            List<Dictionary<string, string>> kills = [.. JournalEntries(run.File("reapd.kills.json"))];
            Dictionary<string, string> kill = Assert.Single(kills);
            Assert.Equal("kill", kill["REAPD_EVENT"]);
            Assert.Equal(victim.ToString(CultureInfo.InvariantCulture), kill["REAPD_PID"]);
            Assert.Equal(comm, kill["REAPD_NAME"]);
            Assert.Equal("SIGKILL", kill["REAPD_SIGNAL"]);
            Assert.Equal("Sent", kill["REAPD_RESULT"]);
            Assert.Equal("cgroup:/system.slice/victim.service", kill["REAPD_SCOPE"]);
            Assert.Equal("4", kill["PRIORITY"]);
            Assert.Equal("reapd", kill["SYSLOG_IDENTIFIER"]);
            Assert.Equal("reapd.service", kill["_SYSTEMD_UNIT"]);
            Assert.Equal("journal", kill["_TRANSPORT"]);
            Assert.StartsWith($"signal pid={victim} name={comm} signal=SIGKILL result=Sent", kill["MESSAGE"], StringComparison.Ordinal);

            // Every event is an entry with its fields: the choice of that victim (with its ranking) and its settle.
            List<Dictionary<string, string>> entries = [.. JournalEntries(run.File("reapd.journal.json"))];
            List<Dictionary<string, string>> reapd = [.. entries.Where(e => e.ContainsKey("REAPD_EVENT"))];
            Assert.All(reapd, e => Assert.Equal("journal", e["_TRANSPORT"]));
            Assert.Contains(reapd, e => e["REAPD_EVENT"] == "start" && e["PRIORITY"] == "5");
            Assert.Contains(reapd, e => e["REAPD_EVENT"] == "choice" && e["REAPD_PID"] == kill["REAPD_PID"] && e["REAPD_TOP_0_PID"] == kill["REAPD_PID"]);
            Assert.Contains(reapd, e => e["REAPD_EVENT"] == "settle" && e["REAPD_PID"] == kill["REAPD_PID"]);
            Assert.DoesNotContain(reapd, e => e["REAPD_EVENT"] == "warning");

            // `journalctl -o cat` still reads as before: the text lines, without priority prefixes or timestamps.
            string[] lines = run.File("reapd.journal.txt").Split('\n', StringSplitOptions.RemoveEmptyEntries);
            Assert.Contains(lines, l => l.StartsWith("start pid=", StringComparison.Ordinal));
            Assert.Contains(lines, l => l.StartsWith($"signal pid={victim} name={comm} signal=SIGKILL result=Sent", StringComparison.Ordinal));
            Assert.DoesNotContain(lines, l => l.StartsWith('<'));
        });
    }

    /// <summary>
    /// Every directive of the unit's hardening is proved harmless here, by what reapd did under it: the kill above,
    /// and each privilege it used for it.
    /// </summary>
    [Theory]
    [InlineData("6.1")]
    [InlineData("6.12")]
    public void Under_the_hardened_unit_reapd_arms_everything_kills_the_units_cgroup_and_reaps(string kernel)
    {
        GuestRun run = Boot(kernel)["systemd"];
        run.Check(() =>
        {
            List<string> messages = [.. JournalMessages(run.File("reapd.journal.json"))];
            string start = Assert.Single(messages, m => m.StartsWith("start ", StringComparison.Ordinal));
            // CAP_SYS_RESOURCE kept, /proc/pressure writable under ProtectKernelTunables: 1 s PSI windows armed (the
            // early wake-up, the full-stall condition, the thrash condition's 40 % of 1 s).
            Assert.Contains("psi_triggers=\"some 100 ms in 1000 ms, full 6000 ms in 10000 ms, full 400 ms in 1000 ms\"", start, StringComparison.Ordinal);
            // mlockall and mlock allowed (@memlock), without CAP_IPC_LOCK: LimitMEMLOCK=infinity is enough.
            Assert.Contains("mlock=\"locked (current, future, on fault)", start, StringComparison.Ordinal);
            // userfaultfd (in @system-service): fault-around off on the locked code where the kernel can (asynchronous
            // write-protection, 6.7), and on 6.1 the kernel's refusal, not the filter's EPERM.
            Assert.Contains(kernel == "6.1" ? "fault-around on (the kernel has no asynchronous userfaultfd write-protection" : "fault-around off on ", start, StringComparison.Ordinal);
            Assert.Contains("oom_score_adj=-900", start, StringComparison.Ordinal);
            // Nice=-20 set by systemd; reapd's setpriority to the same value needs no CAP_SYS_NICE.
            Assert.Contains("priority=\"nice -20\"", start, StringComparison.Ordinal);
            Assert.Contains("reaper=thread", start, StringComparison.Ordinal);
            Assert.Contains("notify=\"/run/systemd/notify, watchdog 30000 ms", start, StringComparison.Ordinal);

            // OOMPolicy=kill gave victim.service memory.oom.group; reapd wrote its cgroup.kill (/sys/fs/cgroup writable).
            Assert.Equal("1", run.Result("victim_oom_group"));
            long victim = run.ResultNumber("victim_pid");
            string kill = Assert.Single(messages, m => m.StartsWith("signal ", StringComparison.Ordinal) && m.Contains("signal=SIGKILL", StringComparison.Ordinal));
            Assert.Contains("result=Sent", kill, StringComparison.Ordinal);
            Assert.Contains("scope=cgroup:/system.slice/victim.service", kill, StringComparison.Ordinal);
            // process_mrelease passed the system call filter: the kernel answered it (Reaped or ESRCH), not seccomp (EPERM).
            string reap = Assert.Single(messages, m => m.StartsWith("reap ", StringComparison.Ordinal) && m.Contains($"pid={victim} ", StringComparison.Ordinal));
            Assert.Matches("result=(Reaped|AlreadyExiting) ", reap);
            Assert.Contains(messages, m => m.StartsWith("settle ", StringComparison.Ordinal) && m.Contains($"pid={victim} ", StringComparison.Ordinal));
            Assert.DoesNotContain(messages, m => m.StartsWith("warning ", StringComparison.Ordinal));
        });
    }

    [Theory]
    [InlineData("6.1")]
    [InlineData("6.12")]
    public void Systemctl_start_returns_once_reapd_is_ready_with_its_status_and_the_status_follows_the_kill(string kernel)
    {
        GuestRun run = Boot(kernel)["systemd"];
        run.Check(() =>
        {
            Assert.Equal("notify", run.Result("reapd_type"));
            // The status systemd holds the moment `systemctl start` returned came with READY=1.
            Assert.Matches(@"^available \d+ MiB of \d+ MiB \(\d+%\), ok \(term 10%, kill 5%\), no victim$", run.Result("reapd_status_at_start"));
            // A Type=notify unit becomes active at READY=1, after its process started (Type=simple: at the fork).
            Assert.True(run.ResultNumber("reapd_active_enter_mono") > run.ResultNumber("reapd_exec_start_mono"));
            // After the kill and its settle, memory is back above the lines and no victim is in flight.
            Assert.Matches(@"^available \d+ MiB .*, ok .*, no victim$", run.Result("reapd_status_after"));
        });
    }

    /// <summary>
    /// Desktop notifications work under the shipped unit as it is: through ProtectHome=read-only reapd still finds the
    /// user's bus on the tmpfs logind-style mounted at /run/user/65534 after reapd started, and its notifier, with
    /// CAP_SETUID/CAP_SETGID and setgroups/setresgid/setresuid let through, becomes that user and is accepted by the
    /// session bus; a real notification server on that bus receives the call from uid 65534.
    /// </summary>
    [Theory]
    [InlineData("6.1")]
    [InlineData("6.12")]
    public void A_desktop_user_gets_the_kill_notification_through_the_shipped_units_sandbox(string kernel)
    {
        GuestRun run = Boot(kernel)["systemd"];
        run.Check(() =>
        {
            long victim = run.ResultNumber("victim_pid");
            string comm = run.Result("victim_comm") ?? "(no comm)";

            // reapd's side: one desktop-notify entry, sent to uid 65534's bus.
            Dictionary<string, string> notified = Assert.Single(JournalEntries(run.File("reapd.desktop.json")));
            Assert.Equal("sent", notified["REAPD_RESULT"]);
            Assert.Equal("65534", notified["REAPD_UID"]);
            Assert.Equal("/run/user/65534/bus", notified["REAPD_BUS"]);
            Assert.Equal(victim.ToString(CultureInfo.InvariantCulture), notified["REAPD_PID"]);
            Assert.Equal("5", notified["PRIORITY"]);

            // The server's side: the Notify call, from a connection the bus daemon knows as uid 65534.
            string[] lines = run.File("notifications.txt").Split('\n', StringSplitOptions.RemoveEmptyEntries);
            Assert.Equal("request_name=1", lines[0]); // DBUS_REQUEST_NAME_REPLY_PRIMARY_OWNER
            Assert.Equal("notify app=reapd icon=dialog-warning caller_uid=65534", Assert.Single(lines, l => l.StartsWith("notify ", StringComparison.Ordinal)));
            Assert.Equal($"summary=reapd killed {comm} (pid {victim})", Assert.Single(lines, l => l.StartsWith("summary=", StringComparison.Ordinal)));
            Assert.StartsWith("body=Freed ", Assert.Single(lines, l => l.StartsWith("body=", StringComparison.Ordinal)), StringComparison.Ordinal);
        });
    }

    /// <summary>A hung decision loop (the process frozen with SIGSTOP) stops its watchdog pings; systemd restarts it.</summary>
    [Fact]
    public void A_hung_loop_is_restarted_by_systemd_through_the_watchdog_and_the_new_instance_reaches_ready()
    {
        GuestRun run = Boot("6.12")["systemd-watchdog"];
        run.Check(() =>
        {
            Assert.Equal("2s", run.Result("watchdog_usec")); // guest/systemd-watchdog.sh's drop-in
            Assert.Equal("active", run.Result("state_before"));
            long first = run.ResultNumber("first_pid");
            long restartsBefore = run.ResultNumber("restarts_before");
            // Fed while it runs: the same process, no restart, over three watchdog timeouts.
            Assert.Equal(first, run.ResultNumber("pid_after_idle"));
            Assert.Equal(restartsBefore, run.ResultNumber("restarts_after_idle"));

            Assert.Equal("T", run.Result("stopped_state"));
            string journal = run.File("reapd.journal");
            Assert.Contains("Watchdog timeout", journal, StringComparison.Ordinal);
            Assert.Equal(restartsBefore + 1, run.ResultNumber("restarts_after"));
            Assert.NotEqual(first, run.ResultNumber("second_pid"));
            Assert.Equal("yes", run.Result("first_gone"));
            // Type=notify: active/running again only after the new instance's READY=1, which carried a status.
            Assert.Equal("active", run.Result("state_after"));
            Assert.Equal("running", run.Result("substate_after"));
            Assert.StartsWith("available ", run.Result("status_after"), StringComparison.Ordinal);
            Assert.Contains($"start pid={run.ResultNumber("second_pid")} ", journal, StringComparison.Ordinal);
        });
    }

    /// <summary>
    /// Cgroup-first on systemd's own units (docs/cgroups.md): the unit most over its memory.low protection gives up its
    /// process although two other units hold larger ones — one omitted by ManagedOOMPreference=omit, one under its
    /// MemoryLow=; with --kill-scope cgroup the whole unit dies, its helper too.
    /// </summary>
    [Fact]
    public void Cgroup_first_chooses_the_unit_over_its_protection_spares_an_omitted_unit_and_kills_the_unit_whole()
    {
        GuestRun run = Boot("6.12")["systemd-cgroups"];
        run.Check(() =>
        {
            Assert.Equal("1", run.Result("omit_xattr"));
            Assert.Equal((900L << 20).ToString(CultureInfo.InvariantCulture), run.Result("low_memory_low"));
            List<JsonElement> events = [.. Events(run.File("units.jsonl"))];
            JsonElement start = events.First(e => e.GetProperty("event").GetString() == "start");
            Assert.Equal("Cgroup", start.GetProperty("kill_scope").GetString());
            Assert.Equal("on", start.GetProperty("cgroup_first").GetString());

            long grow = run.ResultNumber("grow_pid");
            JsonElement choice = events.First(e => e.GetProperty("event").GetString() == "choice");
            Assert.Equal(grow, choice.GetProperty("pid").GetInt64());
            Assert.Equal("/b.slice/grow.service", choice.GetProperty("cgroup").GetString());
            Assert.Equal("highest usage over memory.min/low", choice.GetProperty("cgroup_rule").GetString());
            // The omitted unit's process is no candidate; the protected one is, but its unit comes after b.slice's.
            Assert.DoesNotContain(choice.GetProperty("cgroups").EnumerateArray(), g => g.GetProperty("path").GetString() == "/system.slice/omit.service");

            JsonElement kill = events.First(e => e.GetProperty("event").GetString() == "signal" && e.GetProperty("signal").GetString() == "SIGKILL");
            Assert.Equal(grow, kill.GetProperty("pid").GetInt64());
            Assert.Equal("cgroup:/b.slice/grow.service", kill.GetProperty("scope").GetString());
            Assert.Equal(1, kill.GetProperty("group_processes").GetInt32());
            Assert.All(events.Where(e => e.GetProperty("event").GetString() == "signal"), e => Assert.Equal(grow, e.GetProperty("pid").GetInt64()));

            Assert.True(run.ResultNumber("helper_pid") > 0, "the helper's pid was not found");
            Assert.Equal("no", run.Result("grow_alive"));
            Assert.Equal("no", run.Result("helper_alive"));
            Assert.Equal("yes", run.Result("omit_alive"));
            Assert.Equal("yes", run.Result("low_alive"));
        });
    }

    /// <summary>
    /// The Kubernetes QoS order on a tree laid out as the kubelet's systemd driver lays it out, each container at the
    /// oom_score_adj the kubelet gives it: best effort first, then the burstable pod most over its request (read back
    /// from that oom_score_adj), then the other burstable pod; the guaranteed pod, whose container is the one growing, last.
    /// </summary>
    [Fact]
    public void On_a_kubelet_tree_best_effort_dies_first_then_the_burstable_pod_most_over_its_request_and_guaranteed_last()
    {
        GuestRun run = Boot("6.12")["systemd-cgroups"];
        run.Check(() =>
        {
            List<JsonElement> events = [.. Events(run.File("pods.jsonl"))];
            Assert.Contains("pods by QoS class", events.First(e => e.GetProperty("event").GetString() == "start").GetProperty("cgroup_first").GetString(), StringComparison.Ordinal);
            long[] victims = [.. events.Where(e => e.GetProperty("event").GetString() == "choice").Select(e => e.GetProperty("pid").GetInt64()).Distinct()];
            Assert.True(victims.Length >= 3, string.Join(",", victims));
            Assert.Equal([run.ResultNumber("be_pid"), run.ResultNumber("over_pid"), run.ResultNumber("near_pid")], victims[..3]);
            JsonElement second = events.Where(e => e.GetProperty("event").GetString() == "choice").First(e => e.GetProperty("pid").GetInt64() == run.ResultNumber("over_pid"));
            Assert.Equal("/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-podover.slice", second.GetProperty("cgroup").GetString());
            // By badness alone the burstable pod's process would have gone first: the QoS class decided.
            JsonElement first = events.First(e => e.GetProperty("event").GetString() == "choice");
            Assert.True(first.GetProperty("badness").GetInt64() < second.GetProperty("badness").GetInt64(), first.ToString());
            Assert.Equal("no", run.Result("be_alive"));
            Assert.Equal("no", run.Result("over_alive"));
            Assert.Equal("no", run.Result("near_alive"));
            Assert.Equal("yes", run.Result("g1_alive"));
        });
    }

    /// <summary>
    /// journald stopped (SIGSTOP) and its native socket filled to the kernel's limit: reapd's writer thread finds every
    /// send refused (EAGAIN) and waits on its own, so the loop still kills a service that outgrows memory while journald
    /// stays stopped, and keeps the watchdog fed. Events beyond its 64 KiB ring (here reload-refused events of about
    /// 10 KiB each, for a configuration file with 40 unknown keys) are dropped and counted (metrics at once); once
    /// journald continues, the queued entries arrive in order, an events-dropped entry marks the gap and the stop entry
    /// carries the same total.
    /// </summary>
    [Fact]
    public void With_journald_stopped_and_its_socket_full_reapd_still_kills_and_counts_the_events_it_had_to_drop()
    {
        GuestRun run = Boot("6.12")["systemd-journal-stall"];
        run.Check(() =>
        {
            // The stall was real: journald stopped, its queue full (a fresh socket could not send one datagram).
            Assert.Equal("T", run.Result("journald_state_stopped"));
            Assert.StartsWith("full queued=", run.Result("filler"), StringComparison.Ordinal);
            Assert.True(run.ResultNumber("filler_entries_in_journal") > 0, "journald never got the filler's datagrams");
            Assert.Equal("30s", run.Result("watchdog_usec"));

            // (1) The kill, while journald was still stopped.
            Assert.Equal("T", run.Result("journald_state_at_kill"));
            Assert.Equal("signal", run.Result("victim_result"));
            Assert.Equal(9, run.ResultNumber("victim_exec_status"));
            Assert.Equal(1, run.ResultNumber("kills_sigkill"));
            Assert.Equal("1", run.Result("threshold_to_sigkill_count"));
            Assert.Equal(0, run.ResultNumber("dropped_before"));
            Assert.Equal(run.ResultNumber("oom_kills_before"), run.ResultNumber("oom_kills_after"));

            // (2) The ring overflowed while nothing could leave: counted at once; the loop never blocked long enough to
            // miss a watchdog ping (same process, no restart).
            Assert.Equal("T", run.Result("journald_state_after_hups"));
            long droppedWhileStopped = run.ResultNumber("dropped_while_stopped");
            Assert.True(droppedWhileStopped > 0, "nothing was dropped: the ring never filled");
            Assert.Equal("active", run.Result("reapd_state_stopped"));
            Assert.Equal(run.ResultNumber("reapd_pid"), run.ResultNumber("reapd_pid_stopped"));
            Assert.Equal(run.ResultNumber("restarts_before"), run.ResultNumber("restarts_stopped"));

            // (3) After journald continued: the kill's entries (queued before the gap), the gap, the total at stop.
            List<Dictionary<string, string>> entries = [.. JournalEntries(run.File("reapd.stall.json")).Where(e => e.ContainsKey("REAPD_EVENT"))];
            string victim = run.ResultNumber("victim_pid").ToString(CultureInfo.InvariantCulture);
            int kill = entries.FindIndex(e => e["REAPD_EVENT"] == "kill" && e["REAPD_PID"] == victim);
            Assert.True(kill >= 0, "the kill's entry never reached the journal");
            Assert.Equal("cgroup:/system.slice/stall-victim.service", entries[kill]["REAPD_SCOPE"]);
            List<Dictionary<string, string>> gaps = entries.FindAll(e => e["REAPD_EVENT"] == "events-dropped");
            Assert.NotEmpty(gaps);
            Assert.True(entries.IndexOf(gaps[0]) > kill, "the gap came before the kill's entry");
            // The stop entry's total is the reference: the reload thread may still be refusing queued SIGHUPs (and the
            // ring dropping their events) after the script read the metric, so the metric is a lower bound of it.
            Dictionary<string, string> stop = Assert.Single(entries, e => e["REAPD_EVENT"] == "stop");
            long total = long.Parse(stop["REAPD_EVENTS_DROPPED"], CultureInfo.InvariantCulture);
            long metric = run.ResultNumber("dropped_final_metric");
            Assert.True(metric >= droppedWhileStopped && metric <= total, $"metric {metric}, while stopped {droppedWhileStopped}, at stop {total}");
            Assert.Equal(total, gaps.Sum(g => long.Parse(g["REAPD_DROPPED"], CultureInfo.InvariantCulture)));
            Assert.Equal(total.ToString(CultureInfo.InvariantCulture), gaps[^1]["REAPD_DROPPED_TOTAL"]);
            Assert.All(entries, e => Assert.Equal("journal", e["_TRANSPORT"]));
            // Some of the reload-refused events made it (those queued before the ring was full), not all of them.
            Assert.True(run.ResultNumber("refused_in_journal") > 0, "no reload-refused entry reached the journal");
            TestContext.Current.TestOutputHelper?.WriteLine(
                $"max_dgram_qlen {run.Result("max_dgram_qlen")}; filler: {run.Result("filler")}; threshold to SIGKILL {run.Result("threshold_to_sigkill_sum_s")} s; " +
                $"{run.Result("hups")} SIGHUPs, {run.Result("refused_in_journal")} reload-refused entries in the journal; dropped while journald was stopped {droppedWhileStopped}, in all {total}; {entries.Count} reapd entries in the journal");
        });
    }

    private static IEnumerable<JsonElement> Events(string jsonLines)
    {
        foreach (string line in jsonLines.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            yield return JsonDocument.Parse(line).RootElement.Clone();
        }
    }

    /// <summary>
    /// One boot per kernel for all of these: the unit from docs/packaging/reapd.service with only ExecStart replaced;
    /// on 6.12 the watchdog scenario runs after the kill scenario (the watchdog does not depend on the kernel).
    /// </summary>
    private static IReadOnlyDictionary<string, GuestRun> Boot(string kernel) =>
        s_boots.GetOrAdd(kernel, k => new(() => RunGuest(k))).Value;

    private static IReadOnlyDictionary<string, GuestRun> RunGuest(string kernel)
    {
        string reapdUnit = File.ReadAllText(Path.Combine(NativeProgram.RepositoryRoot, "docs", "packaging", "reapd.service"));
        // Only ExecStart changes, to the published binary. The unit's PrivateTmp=yes would hide that binary when the
        // checkout itself lives under /tmp (a CI clean clone); an installed reapd does not. ProtectHome=read-only leaves
        // a checkout under a home readable and executable.
        string binary = PublishedReapd.BinaryPath;
        string dropIn = $"[Service]\nExecStart=\nExecStart={binary} run\n"
            + (binary.StartsWith("/tmp/", StringComparison.Ordinal) ? "PrivateTmp=no\n" : "");
        var options = new GuestOptions
        {
            Systemd = true,
            // 6.12 runs four scenarios in this boot; at load average 20-30 they took 454 s (docs/reliability.md).
            Timeout = TimeSpan.FromSeconds(600),
            Units = new Dictionary<string, string>
            {
                ["reapd.service"] = reapdUnit,
                ["reapd.service.d/guest.conf"] = dropIn,
                // OOMPolicy=kill: systemd sets memory.oom.group on the unit's cgroup, so reapd kills it as a group.
                ["victim.service"] = "[Unit]\nDescription=reapd guest test: a service whose process outgrows memory\n\n" +
                    $"[Service]\nOOMPolicy=kill\nExecStart={NativeProgram.Build("hog")} --mib 4096 --rate-mib-s 48 --ignore-term\n",
            },
        };
        // The cgroup-first, Kubernetes and journald-stopped scenarios depend on systemd and cgroup v2, not on the kernel: 6.12 only.
        string[] scenarios = kernel == "6.12" ? ["systemd", "systemd-watchdog", "systemd-journal-stall", "systemd-cgroups"] : ["systemd"];
        return QemuGuest.Run(kernel, scenarios, options, GuestTools.Env());
    }

    /// <summary>The string fields of each entry of `journalctl -o json` (binary or repeated fields are arrays there; left out).</summary>
    private static IEnumerable<Dictionary<string, string>> JournalEntries(string jsonLines)
    {
        foreach (string line in jsonLines.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            using JsonDocument entry = JsonDocument.Parse(line);
            yield return entry.RootElement.EnumerateObject()
                .Where(p => p.Value.ValueKind == JsonValueKind.String)
                .ToDictionary(p => p.Name, p => p.Value.GetString()!);
        }
    }

    private static IEnumerable<string> JournalMessages(string jsonLines)
    {
        foreach (string line in jsonLines.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            using JsonDocument entry = JsonDocument.Parse(line);
            if (entry.RootElement.TryGetProperty("MESSAGE", out JsonElement message) && message.ValueKind == JsonValueKind.String)
            {
                yield return message.GetString()!;
            }
        }
    }
}
