# A victim stuck on a FUSE read its server never answers (tests/native/fuse_stuck.c), in a cgroup v2 group with
# memory.max 256 MiB: a ramping hog pushes the group past the kill level; reapd SIGKILLs the bigger victim, whose
# exit cannot finish, and process_mrelease gives its memory back. No second process dies.
G=$(memcg reapd-fuse)
echo $((256 << 20)) >"$G/memory.max"
result dev_fuse "$([ -c /dev/fuse ] && echo yes || echo no)"
"$FUSE_STUCK" --mib 150 --cgroup-procs "$G/cgroup.procs" >"$OUT/fuse.out" 2>&1 &
FUSE_SERVER=$!
wait_for 90 has_line "$OUT/fuse.out" ready || log "fuse_stuck not ready"
victim=$(awk '/ ready / { print $2 }' "$OUT/fuse.out")
result victim_pid "${victim:-0}"
result oom_kill_before "$(memory_event "$G" oom_kill)"
start_reapd --cgroup "$G"
start_hog hog "$G" --mib 120 --rate-mib-s 32 --ignore-term
wait_for 150 has_event settle || log "no settle event"
wait_for 60 has_line "$OUT/hog.out" ready || log "hog not ready"
result victim_exists "$([ -d "/proc/$victim" ] && echo yes || echo no)"
result victim_state "$(awk '/^State:/ { print $2 }' "/proc/$victim/status" 2>/dev/null)"
result hog_alive "$(alive "$hog_PID" && echo yes || echo no)"
result usage_after_mib $(($(cat "$G/memory.current") >> 20))
result oom_kill_after "$(memory_event "$G" oom_kill)"
stop_reapd
kill -TERM "$FUSE_SERVER" 2>/dev/null
