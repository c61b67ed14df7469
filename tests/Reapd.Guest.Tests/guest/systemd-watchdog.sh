# After systemd.sh, in the same boot: reapd.service with WatchdogSec=2s (a drop-in written here). While its loop runs
# it keeps the watchdog fed; frozen with SIGSTOP (the whole process, so the decision loop is really stuck), it stops
# pinging, systemd kills it ("Watchdog timeout") and Restart=always starts a new instance, which reaches READY=1
# again. Also records `systemd-analyze security` for the unit as the guest's systemd sees it.
mkdir -p /run/systemd/system/reapd.service.d
# TimeoutAbortSec bounds the abort of a process that stays stopped; systemd sends SIGCONT after the signal anyway.
printf '[Service]\nWatchdogSec=2s\nTimeoutAbortSec=10s\n' >/run/systemd/system/reapd.service.d/watchdog.conf
systemctl daemon-reload
systemctl restart reapd.service
result watchdog_usec "$(systemctl show -p WatchdogUSec --value reapd.service)"
result state_before "$(systemctl is-active reapd.service)"
first_pid=$(systemctl show -p MainPID --value reapd.service)
result first_pid "$first_pid"
result restarts_before "$(systemctl show -p NRestarts --value reapd.service)"
result status_before "$(systemctl show -p StatusText --value reapd.service)"
# Three watchdog timeouts of an idle, healthy loop: it keeps pinging, nothing restarts it.
sleep 6
result pid_after_idle "$(systemctl show -p MainPID --value reapd.service)"
result restarts_after_idle "$(systemctl show -p NRestarts --value reapd.service)"

kill -STOP "$first_pid"
result stopped_state "$(awk '/^State:/ { print $2 }' "/proc/$first_pid/status")"
restarted() {
    local pid
    pid=$(systemctl show -p MainPID --value reapd.service)
    [ "$pid" != 0 ] && [ "$pid" != "$first_pid" ] && systemctl is-active -q reapd.service
}
wait_for 90 restarted || log "reapd.service was not restarted after SIGSTOP"
result second_pid "$(systemctl show -p MainPID --value reapd.service)"
result state_after "$(systemctl is-active reapd.service)"
result substate_after "$(systemctl show -p SubState --value reapd.service)"
result restarts_after "$(systemctl show -p NRestarts --value reapd.service)"
result status_after "$(systemctl show -p StatusText --value reapd.service)"
result first_gone "$(kill -0 "$first_pid" 2>/dev/null && echo no || echo yes)"
sleep 1 # let journald take the last lines
journalctl -u reapd.service -o cat >"$OUT/reapd.journal"

systemd-analyze security --no-pager reapd.service >"$OUT/security.txt" 2>&1
result exposure "$(sed -n 's/.*Overall exposure level for reapd.service: \([0-9.]*\).*/\1/p' "$OUT/security.txt")"
