# After systemd-watchdog.sh, in the same 6.12 boot (docs/reliability.md, "Output stalls"). reapd.service, the packaged
# unit (its WatchdogSec=30s again: the 2 s of the watchdog scenario can expire during a start under TCG), writes its
# events as native journal entries. journald is stopped (SIGSTOP) and its native socket filled to the kernel's limit by
# a filler of our own, so that every send of reapd's writer thread finds the queue full. Then:
# (1) a hog in stall-victim.service outgrows memory: reapd must kill it while journald is still stopped;
# (2) reapd is made to write more than its 64 KiB event ring holds while nothing can leave: its configuration file now
#     holds 40 unknown keys, and each SIGHUP is answered by a reload-refused event listing them (about 5 KiB as a line,
#     10 KiB as a journal entry); the events that do not fit are dropped and counted, visible at once in its metrics;
# (3) journald is continued: the queued entries (the kill's among them) arrive, an events-dropped entry marks the gap,
#     and the stop event carries the total. journald's own watchdog (3 min) bounds how long it may stay stopped.
result oom_kills_before "$(kernel_oom_kills)"
result max_dgram_qlen "$(cat /proc/sys/net/unix/max_dgram_qlen)"
mkdir -p /run/systemd/system/reapd.service.d
# The metrics file in the unit's RuntimeDirectory (writable under ProtectSystem=strict), a configuration file of the
# test's (empty: the defaults); the rest as packaged.
CONFIG=/run/reapd-stall.toml
: >"$CONFIG"
printf '[Service]\nExecStart=\nExecStart=%s run --metrics-file /run/reapd/reapd.prom --config %s\n' "$REAPD" "$CONFIG" \
    >/run/systemd/system/reapd.service.d/zz-metrics.conf
printf '[Unit]\nDescription=reapd guest test: a service that outgrows memory while journald is stopped\n\n[Service]\nOOMPolicy=kill\nExecStart=%s --mib 4096 --rate-mib-s 96 --page thp --ignore-term\n' "$HOG" \
    >/run/systemd/system/stall-victim.service
rm -f /run/systemd/system/reapd.service.d/watchdog.conf
systemctl daemon-reload
systemctl restart reapd.service
result reapd_restart_exit $?
reapd_pid=$(systemctl show -p MainPID --value reapd.service)
result reapd_pid "$reapd_pid"
result watchdog_usec "$(systemctl show -p WatchdogUSec --value reapd.service)"
started() { journalctl -u reapd.service _PID="$reapd_pid" -o cat | grep -q '^start '; }
wait_for 120 started || log "reapd wrote no start entry"
metrics_ready() { [ -s /run/reapd/reapd.prom ]; }
wait_for 30 metrics_ready || log "no metrics file"
restarts_before=$(systemctl show -p NRestarts --value reapd.service)
result restarts_before "$restarts_before"
# metric NAME: the value of one sample line of reapd's metrics file (0 when absent).
metric() { awk -v n="$1" '$1 == n { v = $2 } END { print v + 0 }' /run/reapd/reapd.prom; }

journald_pid=$(systemctl show -p MainPID --value systemd-journald.service)
result journald_pid "$journald_pid"
systemctl kill -s SIGSTOP systemd-journald.service
log "journald stopped"
journald_state() { awk '/^State:/ { print $2 }' "/proc/$journald_pid/status"; }
result journald_state_stopped "$(journald_state)"
# The filler: datagrams of the native protocol, sent without waiting from fresh sockets until a fresh socket cannot
# send even one (EAGAIN): the socket's receive queue is then full, whoever sends. It keeps its sockets and waits.
cat >/tmp/journal-filler.py <<'PYTHON'
import socket, sys, time
queued, sockets = 0, []
while len(sockets) < 256:
    s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    s.connect('/run/systemd/journal/socket')
    sockets.append(s)
    sent_here = 0
    while True:
        try:
            s.send(b'MESSAGE=reapd-guest filler %d\nSYSLOG_IDENTIFIER=reapd-guest-filler\n' % queued, socket.MSG_DONTWAIT)
        except BlockingIOError:
            break
        queued += 1
        sent_here += 1
    if sent_here == 0:
        print('full queued=%d sockets=%d' % (queued, len(sockets)), flush=True)
        break
else:
    print('not-full queued=%d' % queued, flush=True)
time.sleep(3600)
PYTHON
/usr/bin/python3 /tmp/journal-filler.py >"$OUT/filler.txt" 2>&1 &
filler_pid=$!
filler_done() { grep -q 'full' "$OUT/filler.txt"; }
wait_for 60 filler_done || log "the filler did not report"
result filler "$(cat "$OUT/filler.txt")"
result dropped_before "$(metric reapd_events_dropped_total)"

# (1) The emergency, with journald stopped and its socket full.
log "the victim starts"
systemctl start stall-victim.service
victim_pid=$(systemctl show -p MainPID --value stall-victim.service)
result victim_pid "$victim_pid"
victim_done() { ! systemctl is-active -q stall-victim.service; }
wait_for 240 victim_done || log "stall-victim.service is still active"
log "the victim is gone"
result journald_state_at_kill "$(journald_state)"
result victim_result "$(systemctl show -p Result --value stall-victim.service)"
result victim_exec_status "$(systemctl show -p ExecMainStatus --value stall-victim.service)"
sleep 1.5 # the metrics file is rewritten at most once a second after a counter changed
result kills_sigkill "$(awk '/^reapd_kills_total\{signal="SIGKILL"/ { s += $2 } END { print s + 0 }' /run/reapd/reapd.prom)"
result threshold_to_sigkill_sum_s "$(metric reapd_threshold_to_sigkill_seconds_sum)"
result threshold_to_sigkill_count "$(metric reapd_threshold_to_sigkill_seconds_count)"
result dropped_after_kill "$(metric reapd_events_dropped_total)"

# (2) More events than the ring holds, while nothing can leave: a configuration file reapd refuses, and SIGHUPs, one
# reload-refused event each (several SIGHUPs before the loop gets to them are one reload, hence the pause). Until the
# metrics show drops, then 5 more; bounded at 40 s (journald's own watchdog allows it 3 min in all).
for i in $(seq 1 40); do echo "no_such_key_$i = $i"; done >"$CONFIG"
mkfifo /tmp/stall-tick # a read that times out on it is the pause, without a sleep process per SIGHUP
hups=0
extra=-1
hup_start=$SECONDS
while [ "$extra" -ne 0 ] && [ $((SECONDS - hup_start)) -lt 40 ] && kill -0 "$reapd_pid"; do
    kill -HUP "$reapd_pid"
    hups=$((hups + 1))
    read -r -t 0.2 <>/tmp/stall-tick
    if [ "$extra" -lt 0 ] && [ "$(metric reapd_events_dropped_total)" -gt 0 ]; then
        extra=5
    elif [ "$extra" -gt 0 ]; then
        extra=$((extra - 1))
    fi
done 2>/dev/null
result hups "$hups"
log "$hups SIGHUPs sent"
sleep 1.5
result dropped_while_stopped "$(metric reapd_events_dropped_total)"
result journald_state_after_hups "$(journald_state)"
result reapd_state_stopped "$(systemctl is-active reapd.service)"
result reapd_pid_stopped "$(systemctl show -p MainPID --value reapd.service)"
result restarts_stopped "$(systemctl show -p NRestarts --value reapd.service)"

# (3) journald continues: the queue drains, reapd's writer sends what its ring held, then the events-dropped entry.
kill "$filler_pid"
systemctl kill -s SIGCONT systemd-journald.service
result journald_state_continued "$(journald_state)"
log "journald continued"
gap_logged() { journalctl -u reapd.service _PID="$reapd_pid" REAPD_EVENT=events-dropped -o cat | grep -q .; }
if [ "$(metric reapd_events_dropped_total)" -gt 0 ]; then
    wait_for 60 gap_logged || log "no events-dropped entry after journald continued"
fi
sleep 1.5
result dropped_final_metric "$(metric reapd_events_dropped_total)"
systemctl stop reapd.service
stopped_logged() { journalctl -u reapd.service _PID="$reapd_pid" REAPD_EVENT=stop -o cat | grep -q .; }
wait_for 30 stopped_logged || log "no stop entry"
journalctl -u reapd.service _PID="$reapd_pid" -o json >"$OUT/reapd.stall.json"
result refused_in_journal "$(journalctl -u reapd.service _PID="$reapd_pid" REAPD_EVENT=reload-refused -o cat | wc -l)"
journalctl SYSLOG_IDENTIFIER=reapd-guest-filler -o cat | wc -l >"$OUT/filler.journal.count"
result filler_entries_in_journal "$(cat "$OUT/filler.journal.count")"
result oom_kills_after "$(kernel_oom_kills)"
rm -f /run/systemd/system/reapd.service.d/zz-metrics.conf /run/systemd/system/stall-victim.service /tmp/stall-tick "$CONFIG"
systemctl daemon-reload
