# systemd 252 as PID 1 (this machine's own, from the shared root): reapd started from docs/packaging/reapd.service
# (only ExecStart points at the published binary) guards the whole guest under the unit's hardening; victim.service
# runs a hog that outgrows memory, in a cgroup with memory.oom.group set. reapd kills it (through cgroup.kill), and
# systemd records the unit's failure with the reason (Result=signal, status 9/KILL);
# reapd's events are native journal entries with REAPD_* fields.
result pid1 "$(cat /proc/1/comm)"
result cgroup_fs "$(stat -f -c %T /sys/fs/cgroup)"
result oom_kills_before "$(kernel_oom_kills)"
# Type=notify: `systemctl start` returns once reapd said READY=1, and that message carried the first STATUS=.
systemctl start reapd.service
result reapd_state "$(systemctl is-active reapd.service)"
result reapd_type "$(systemctl show -p Type --value reapd.service)"
result reapd_status_at_start "$(systemctl show -p StatusText --value reapd.service)"
result reapd_exec_start_mono "$(systemctl show -p ExecMainStartTimestampMonotonic --value reapd.service)"
result reapd_active_enter_mono "$(systemctl show -p ActiveEnterTimestampMonotonic --value reapd.service)"
reapd_started() { journalctl -u reapd.service -o cat | grep -q '^start '; }
wait_for 120 reapd_started || log "reapd.service wrote no start event"
reapd_pid=$(systemctl show -p MainPID --value reapd.service)
result reapd_pid "$reapd_pid"
result reapd_adj "$(cat "/proc/$reapd_pid/oom_score_adj")"
result reapd_cgroup "$(cut -d: -f3 "/proc/$reapd_pid/cgroup")"
systemctl start victim.service
victim_pid=$(systemctl show -p MainPID --value victim.service)
result victim_pid "$victim_pid"
result victim_cgroup "$(cut -d: -f3 "/proc/$victim_pid/cgroup")"
result victim_comm "$(cat "/proc/$victim_pid/comm")"
result victim_oom_group "$(cat "/sys/fs/cgroup/system.slice/victim.service/memory.oom.group")"
victim_done() { ! systemctl is-active -q victim.service; }
wait_for 240 victim_done || log "victim.service is still active"
result victim_active "$(systemctl is-active victim.service)"
result victim_result "$(systemctl show -p Result --value victim.service)"
result victim_exec_code "$(systemctl show -p ExecMainCode --value victim.service)"
result victim_exec_status "$(systemctl show -p ExecMainStatus --value victim.service)"
sleep 1 # let journald take the last lines of both units
journalctl -u victim.service -o cat >"$OUT/victim.journal"
journalctl -u reapd.service -o json >"$OUT/reapd.journal.json"
# reapd's native journal entries: the issue's query for its kills, and the plain lines as `journalctl -o cat` shows them.
journalctl -u reapd.service REAPD_EVENT=kill -o json >"$OUT/reapd.kills.json"
journalctl -u reapd.service -o cat >"$OUT/reapd.journal.txt"
systemctl status victim.service >"$OUT/victim.status" 2>&1
result reapd_state_after "$(systemctl is-active reapd.service)"
result oom_kills_after "$(kernel_oom_kills)"
result reapd_status_after "$(systemctl show -p StatusText --value reapd.service)"
