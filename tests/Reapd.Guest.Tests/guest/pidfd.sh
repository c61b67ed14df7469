# The kill protocol of `reapd kill` on Debian's kernels: pidfd_open, kcmp(KCMP_VM) to find a process sharing the
# victim's mm (tests/native/clone_vm), SIGKILL through the pidfds, process_mrelease; and pidfd_open on a thread id.
"$CLONE_VM" --mib 64 >"$OUT/clone.out" 2>&1 &
wait_for 60 has_line "$OUT/clone.out" ready || log "clone_vm not ready"
parent=$(awk '/ ready / { print $2 }' "$OUT/clone.out")
sharer=$(awk '/ ready / { print $4 }' "$OUT/clone.out")
result parent_pid "${parent:-0}"
result sharer_pid "${sharer:-0}"
"$REAPD" kill "$parent" >"$OUT/kill.txt" 2>&1
result kill_exit $?
wait_for 30 gone "$parent" || log "parent still alive"
wait_for 30 gone "$sharer" || log "sharer still alive"
result parent_alive "$(alive "$parent" && echo yes || echo no)"
result sharer_alive "$(alive "$sharer" && echo yes || echo no)"
# A thread id: one of the threads of a running reapd (it has a reaper thread besides .NET's own).
start_reapd --dry-run
tid=$(ls "/proc/$REAPD_PID/task" | grep -vx "$REAPD_PID" | head -1)
result thread_id "${tid:-0}"
"$REAPD" kill "$tid" >"$OUT/kill-thread.txt" 2>&1
result kill_thread_exit $?
# Which errno this kernel gives (recorded for docs/platforms.md, not asserted): python3 from the shared root.
result pidfd_open_thread_errno "$(python3 -c 'import errno, os, sys
try:
    os.pidfd_open(int(sys.argv[1]))
    print("none")
except OSError as e:
    print(errno.errorcode[e.errno])' "$tid" 2>&1)"
result reapd_alive "$(alive "$REAPD_PID" && echo yes || echo no)"
stop_reapd
