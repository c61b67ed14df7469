# reapd run --cgroup on a cgroup v2 group limited only by memory.high 256 MiB (memory.max stays "max"): over high the
# kernel would throttle the hog in direct reclaim and never OOM-kill it; reapd takes memory.high as the limit and kills
# it at its kill level, below high (whether the kernel throttled first is recorded: high_events).
G=$(memcg reapd-high)
echo $((256 << 20)) >"$G/memory.high"
result memory_max "$(cat "$G/memory.max")"
result oom_kill_before "$(memory_event "$G" oom_kill)"
start_reapd --cgroup "$G"
start_hog hog "$G" --mib 512 --rate-mib-s 64 --ignore-term
await_kill hog
record_alive hog
result high_events "$(memory_event "$G" high)"
result oom_kill_after "$(memory_event "$G" oom_kill)"
stop_reapd
