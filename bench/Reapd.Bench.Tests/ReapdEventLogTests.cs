namespace Reapd.Bench.Tests;

public class ReapdEventLogTests
{
    // reapd run --json, a whole-guest thrash: the start event, a SIGTERM on the memory+swap lines that the thrasher
    // ignores, then the thrash condition's kill (escalated), its reap and settle.
    private static readonly string[] s_thrashRun =
    [
        """{"ts":1796000000.100000,"mono_ms":412905.1,"event":"start","pid":301,"scope":"system","term_pct":10.00,"kill_pct":5.00,"mlock":"locked (current, future, on fault); warm-up kill: sigterms=1 sigkills=1 reap=no-mm settled=yes"}""",
        """{"ts":1796000020.200000,"mono_ms":432905.2,"event":"trigger","level":"term","reason":"at or below the term level","condition":"memory+swap","action":"sigterm","available_mib":60.2,"total_mib":1452.1,"available_pct":4.15}""",
        """{"ts":1796000020.210000,"mono_ms":432915.0,"event":"choice","pid":318,"name":"bench-hog","badness":412301,"rss_mib":801.3}""",
        """{"ts":1796000020.211000,"mono_ms":432916.0,"event":"signal","pid":318,"name":"bench-hog","signal":"SIGTERM","result":"Sent","dry_run":false}""",
        """{"ts":1796000024.900000,"mono_ms":437605.0,"event":"trigger","level":"kill","reason":"thrashing","condition":"thrash","action":"escalate","thrash_full_pct":71.3,"pid":318,"name":"bench-hog"}""",
        """{"ts":1796000024.901000,"mono_ms":437606.0,"event":"signal","pid":318,"name":"bench-hog","signal":"SIGKILL","result":"Sent","dry_run":false}""",
        """{"ts":1796000024.950000,"mono_ms":437655.0,"event":"reap","pid":318,"name":"bench-hog","result":"Reaped","duration_ms":41.2}""",
        """{"ts":1796000025.300000,"mono_ms":438005.0,"event":"settle","pid":318,"name":"bench-hog","reason":"reaped","in_flight_ms":399}""",
    ];

    [Fact]
    public void Each_signal_carries_the_condition_of_the_trigger_before_it()
    {
        var actions = ReapdEventLog.Actions(s_thrashRun);

        Assert.Equal(["SIGTERM 318 bench-hog on memory+swap", "SIGKILL 318 bench-hog on thrash (escalated)"], actions);
    }

    [Fact]
    public void A_direct_kill_that_was_not_sent_says_its_result_and_text_lines_and_broken_json_are_skipped()
    {
        string[] lines =
        [
            "2026-11-30T02:40:00Z start pid=301 scope=system",
            """{"ts":1796000030.0,"mono_ms":443000.0,"event":"trigger","level":"kill","reason":"full stall","condition":"psi-full","action":"sigkill","psi_full_window_pct":61.0}""",
            """{"ts":1796000030.1,"mono_ms":443100.0,"event":"signal","pid":322,"name":"bench-hog","signal":"SIGKILL","result":"Gone""",
            """{"ts":1796000030.1,"mono_ms":443100.0,"event":"signal","pid":322,"name":"bench-hog","signal":"SIGKILL","result":"Gone"}""",
        ];

        Assert.Equal(["SIGKILL 322 bench-hog on psi-full (Gone)"], ReapdEventLog.Actions(lines));
        Assert.Equal(2, ReapdEventLog.JsonLines(lines).Count());
    }

    [Fact]
    public void A_run_without_a_trigger_has_no_actions_and_the_start_event_means_reapd_is_watching()
    {
        Assert.Empty(ReapdEventLog.Actions(s_thrashRun.Take(1)));
        Assert.True(ReapdDaemon.IsStartEvent(s_thrashRun[0]));
        Assert.False(ReapdDaemon.IsStartEvent(s_thrashRun[1]));
        Assert.False(ReapdDaemon.IsStartEvent("2026-11-30T02:40:00Z start pid=301 scope=system"));
    }

    // The guest benchmark's own log (events-swap-thrash-guest-reapd-1.jsonl, 30 Nov 2026): the 10 s full-stall
    // condition acted while the thrash condition's window showed the push-out (58.9 % stalled, no refault, no swap-in).
    private static readonly string[] s_guestRun =
    [
        """{"ts":1796006989.760263,"mono_ms":352206.452,"event":"trigger","level":"kill","reason":"sustained full memory stall","condition":"psi-full","action":"sigkill","available_mib":0,"total_mib":1467.8,"available_pct":0,"term_mib":146.8,"kill_mib":73.4,"swap_free_mib":728.3,"swap_total_mib":1024,"swap_term_mib":102.4,"swap_kill_mib":51.2,"psi_some_avg10":42.91,"psi_full_avg10":36.48,"psi_full_window_pct":60,"thrash_full_pct":58.9,"thrash_refaults_per_s":0,"thrash_swap_in_pct":0,"woke":"timer"}""",
        """{"ts":1796006989.847604,"mono_ms":352293.793,"event":"choice","pid":343,"name":"bench-hog-34EE2","start_ticks":32155,"badness":1002384,"rss_mib":1154.5,"swap_mib":269.9,"shmem_mib":0,"held_mib":1425.9,"adj":1000,"why":"highest badness in scope","candidates":3,"excluded":68,"scan_ms":77.148,"scan_complete":true,"skipped":0,"cgroup":"/system.slice/reapd-bench-223-6","cgroup_rule":"highest memory.pressure (the trigger was PSI), then usage over memory.min/low","cgroup_over_mib":1155,"cgroups":[{"path":"/system.slice/reapd-bench-223-6","usage_mib":1155,"protection_mib":0,"pressure_avg10":37.73},{"path":"/system.slice/systemd-timesyncd.service","usage_mib":1.3,"protection_mib":0,"pressure_avg10":0},{"path":"/system.slice/systemd-journald.service","usage_mib":0.7,"protection_mib":0,"pressure_avg10":0}],"top":[{"pid":343,"name":"bench-hog-34EE2","badness":1002384,"rss_mib":1154.5,"adj":1000},{"pid":204,"name":"systemd-timesyn","badness":638,"rss_mib":1.6,"adj":0},{"pid":190,"name":"systemd-journal","badness":-158807,"rss_mib":0.8,"adj":-250}]}""",
        """{"ts":1796006990.122993,"mono_ms":352569.182,"event":"signal","pid":343,"name":"bench-hog-34EE2","signal":"SIGKILL","result":"Sent","dry_run":false}""",
        """{"ts":1796006990.143886,"mono_ms":352590.076,"event":"reap","pid":343,"name":"bench-hog-34EE2","result":"AlreadyExiting","detail":"process_mrelease returned ESRCH: the victim already passed exit_mm and frees its memory itself (or its exit is stuck in __mmput, out of userspace's reach)","attempts":1,"duration_ms":0.785,"held_mib":1425.9,"exited":false}""",
        """{"ts":1796006990.891857,"mono_ms":353338.046,"event":"settle","pid":343,"name":"bench-hog-34EE2","reason":"exited","in_flight_ms":768,"held_mib":1425.9,"recovered_mib":1244,"reaped":false,"gone":true,"excluded":false,"available_mib":1244}""",
    ];

    [Fact]
    public void In_the_guest_benchmarks_log_the_full_stall_condition_sent_the_sigkill()
    {
        Assert.Equal(["SIGKILL 343 bench-hog-34EE2 on psi-full"], ReapdEventLog.Actions(s_guestRun));
    }
}
