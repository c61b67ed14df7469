# reapd with every capability (root in the guest has CAP_SYS_RESOURCE): it lowers its own oom_score_adj and locks
# its memory; a process at oom_score_adj -1000 is never a candidate, in `reapd ls` nor in the daemon, even when it
# is the biggest in the group. cgroup v2 group, memory.max 320 MiB.
G=$(memcg reapd-self)
echo $((320 << 20)) >"$G/memory.max"
start_hog protected "$G" --mib 180 --adj -1000 --ignore-term
wait_for 60 has_line "$OUT/protected.out" ready || log "protected hog not ready"
result protected_adj "$(cat "/proc/$protected_PID/oom_score_adj")"
"$REAPD" ls --cgroup "$G" --json >"$OUT/ls.json" 2>"$OUT/ls.err"
result ls_exit $?
start_reapd --cgroup "$G"
result reapd_adj "$(cat "/proc/$REAPD_PID/oom_score_adj")"
result reapd_vmlck_kib "$(awk '/^VmLck:/ { print $2 }' "/proc/$REAPD_PID/status")"
result reapd_nice "$(awk '{ print $19 }' "/proc/$REAPD_PID/stat")"
start_hog ramp "$G" --mib 200 --rate-mib-s 32 --ignore-term
await_kill ramp
record_alive protected ramp
result oom_kill_after "$(memory_event "$G" oom_kill)"
stop_reapd
