# Two hogs in one cgroup v2 group (memory.max 384 MiB): a big one (200 MiB) holds its memory, a small one ramps
# (160 MiB at 32 MiB/s) and pushes the group past both levels. Only the big one dies.
G=$(memcg reapd-small-big)
echo $((384 << 20)) >"$G/memory.max"
start_hog big "$G" --mib 200 --ignore-term
wait_for 60 has_line "$OUT/big.out" ready || log "big hog not ready"
result oom_kill_before "$(memory_event "$G" oom_kill)"
start_reapd --cgroup "$G"
start_hog small "$G" --mib 160 --rate-mib-s 32 --ignore-term
await_kill big
wait_for 60 has_line "$OUT/small.out" ready || log "small hog not ready"
record_alive big small
result oom_kill_after "$(memory_event "$G" oom_kill)"
stop_reapd
