# memory.oom.group on a cgroup v2 group guarded by reapd (memory.max 320 MiB, children job, other and guarded).
# Phase 1: job has memory.oom.group 1; its hog ramps past the kill level. reapd SIGKILLs the hog and, as the kernel
# would, the whole job group through cgroup.kill (its 16 MiB helper too); the bystander in other lives.
# Phase 2: guarded has memory.oom.group 1 but holds a process at oom_score_adj -1000, which the kernel's group kill
# would spare and cgroup.kill would not: reapd kills only the hog and says why not the group.
G=$(memcg reapd-group)
echo $((320 << 20)) >"$G/memory.max"
echo +memory >"$G/cgroup.subtree_control"
mkdir "$G/job" "$G/other" "$G/guarded"
echo 1 >"$G/job/memory.oom.group"
echo 1 >"$G/guarded/memory.oom.group"
start_hog helper "$G/job" --mib 16 --adj 0
start_hog bystander "$G/other" --mib 16 --adj 0
start_hog keeper "$G/guarded" --mib 16 --adj -1000
wait_for 60 has_line "$OUT/keeper.out" ready || log "keeper not ready"
result oom_group_kill_before "$(memory_event "$G" oom_group_kill)"
start_reapd --cgroup "$G"
start_hog hog "$G/job" --mib 400 --rate-mib-s 32 --ignore-term
await_kill hog
wait_for 30 gone "$helper_PID" || log "the helper is still alive"
record_alive hog helper bystander
result job_populated "$(awk '$1 == "populated" { print $2 }' "$G/job/cgroup.events")"
start_hog hog2 "$G/guarded" --mib 400 --rate-mib-s 32 --ignore-term
wait_for 150 gone "$hog2_PID" || log "hog2 is still alive"
wait_for 60 bash -c "[ \$(grep -c '\"event\":\"settle\"' $OUT/reapd.jsonl) -ge 2 ]" || log "no second settle event"
record_alive hog2 keeper bystander
result oom_kill_after "$(memory_event "$G" oom_kill)"
result oom_group_kill_after "$(memory_event "$G" oom_group_kill)"
stop_reapd
