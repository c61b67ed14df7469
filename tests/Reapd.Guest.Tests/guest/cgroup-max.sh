# reapd run --cgroup on a cgroup v2 group with memory.max 256 MiB: a hog ramping to 512 MiB (ignoring SIGTERM) dies by
# reapd's SIGKILL before the kernel's memcg OOM killer acts (memory.events oom_kill unchanged); a 16 MiB bystander lives.
G=$(memcg reapd-max)
echo $((256 << 20)) >"$G/memory.max"
start_hog bystander "$G" --mib 16
wait_for 60 has_line "$OUT/bystander.out" ready || log "bystander not ready"
result oom_kill_before "$(memory_event "$G" oom_kill)"
start_reapd --cgroup "$G"
start_hog hog "$G" --mib 512 --rate-mib-s 64 --ignore-term
await_kill hog
record_alive hog bystander
result oom_kill_after "$(memory_event "$G" oom_kill)"
result memory_events "$(tr '\n' ' ' <"$G/memory.events")"
result usage_after_mib $(($(cat "$G/memory.current") >> 20))
stop_reapd
