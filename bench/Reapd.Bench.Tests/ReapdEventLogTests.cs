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
}
