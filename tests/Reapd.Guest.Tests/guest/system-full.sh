# The whole guest at MemAvailable near zero (docs/reliability.md, "Under its own pressure"): no swap (the zram device
# of the earlier scenarios is switched off and reset), reapd guards the system scope with its lines at 4 % (SIGTERM)
# and 2 % (SIGKILL) of memory, about 40 and 20 MiB here. A slow filler (8 MiB/s up to 200 MiB, oom_score_adj 0) keeps
# allocating through the emergency while a hog (oom_score_adj 1000, ignores SIGTERM) ramps at 96 MiB/s until memory is
# gone: the kernel is then evicting every clean page it can, the executables of the shell and the tools included.
# Recorded: reapd's major faults (/proc/PID/stat majflt, all threads; and per thread) right before the hog starts and
# after the kill settled, MemAvailable through the emergency (lowest value a sampler saw), the kernel's OOM kills, and
# reapd's own threshold-to-SIGKILL histogram from its metrics file. Runs on Debian's 6.12 only (what it shows does not
# depend on the kernel version); on other kernels the scenario records that it did not run.
case "$(uname -r)" in
6.12.*) ;;
*)
    result ran no
    return 0
    ;;
esac
result ran yes
swapoff -a 2>/dev/null
[ -w /sys/block/zram0/reset ] && echo 1 >/sys/block/zram0/reset
result swap_total_kib "$(awk '/SwapTotal/ { print $2 }' /proc/meminfo)"
result mem_total_kib "$(awk '/MemTotal/ { print $2 }' /proc/meminfo)"
total_mib=$(($(awk '/MemTotal/ { print $2 }' /proc/meminfo) >> 10))
result oom_kills_before "$(kernel_oom_kills)"
METRICS=/tmp/reapd-full.prom
# A grace longer than any fill here: the SIGKILL must come from the kill line, the emergency this scenario is about.
# With the default 3 s, a loaded CI host once slowed the guest's reclaim so much that memory still sat at 2.45 % when
# the grace ran out, and the SIGTERM's escalation killed the hog before the line was reached.
start_reapd --term-percent 4 --kill-percent 2 --grace 60s --metrics-file "$METRICS"
# majflt: field 12 of /proc/PID/stat (the process's threads together); "name=majflt;" for each thread.
majflt() { awk '{ sub(/^.*\) /, ""); print $10 }' "/proc/$REAPD_PID/stat"; }
thread_majflt() {
    local t line
    for t in /proc/"$REAPD_PID"/task/*; do
        line=$(cat "$t/stat" 2>/dev/null) || continue
        printf '%s=%s;' "$(cat "$t/comm")" "$(echo "${line##*) }" | awk '{ print $10 }')"
    done
}
sleep 1 # a few quiet cycles after the start, so that "before" is the idle daemon's count
result reapd_majflt_before "$(majflt)"
result reapd_thread_majflt_before "$(thread_majflt)"
result reapd_vmlck_kib "$(awk '/^VmLck:/ { print $2 }' "/proc/$REAPD_PID/status")"
# Which page a thread of reapd faults on, should it: the kernel's own tracing (no process of ours runs while memory is
# gone) records every user page fault of reapd's threads (address and instruction pointer) and every page they bring
# into the page cache (file and page offset: a major fault's read) from here until the kill settled; the trace and
# reapd's mappings are kept for the host test, which prints them when a thread it asserts on took a major fault.
TRACE=/sys/kernel/tracing
trace_reapd_faults() {
    [ -d "$TRACE/events" ] || mount -t tracefs nodev "$TRACE" 2>/dev/null || return 1
    local t filter=""
    for t in /proc/"$REAPD_PID"/task/*; do
        filter="$filter${filter:+ || }common_pid == ${t##*/}"
    done
    echo 0 >"$TRACE/tracing_on"
    echo >"$TRACE/trace"
    echo 2048 >"$TRACE/buffer_size_kb"
    local e
    for e in exceptions/page_fault_user filemap/mm_filemap_add_to_page_cache; do
        echo "$filter" >"$TRACE/events/$e/filter" && echo 1 >"$TRACE/events/$e/enable" || return 1
    done
    echo 1 >"$TRACE/tracing_on"
}
trace_reapd_faults && result fault_trace on || result fault_trace off
# The lowest MemAvailable seen: a sampler that reads /proc/meminfo with bash's own read (no process started per
# sample, which would itself fault in from the 9p root while memory is gone).
min_available_sampler() {
    local min=-1 key value rest
    while :; do
        while read -r key value rest; do
            if [ "$key" = MemAvailable: ]; then
                if [ "$min" -lt 0 ] || [ "$value" -lt "$min" ]; then
                    min=$value
                    echo "$min" >"$OUT/min_available_kib"
                fi
                break
            fi
        done </proc/meminfo
        # 50 ms between samples: a read that times out on a FIFO nobody writes, instead of a sleep process.
        read -r -t 0.05 <>/tmp/sampler-tick
    done
}
mkfifo /tmp/sampler-tick
min_available_sampler &
SAMPLER_PID=$!
start_hog filler - --mib 200 --rate-mib-s 8 --adj 0 --ignore-term
sleep 1
# Transparent huge pages: under TCG a fault per 4 KiB page holds the hog to about 15 MiB/s, one per 2 MiB does not.
start_hog hog - --mib $((total_mib * 2)) --rate-mib-s 96 --page thp --adj 1000 --ignore-term
await_kill hog
result reapd_majflt_after "$(majflt)"
result reapd_thread_majflt_after "$(thread_majflt)"
if [ -d "$TRACE/events" ]; then
    echo 0 >"$TRACE/tracing_on"
    cp "$TRACE/trace" "$OUT/fault-trace.txt"
    for e in exceptions/page_fault_user filemap/mm_filemap_add_to_page_cache; do echo 0 >"$TRACE/events/$e/enable"; done
    cp "/proc/$REAPD_PID/maps" "$OUT/reapd.maps"
    for t in /proc/"$REAPD_PID"/task/*; do echo "${t##*/} $(cat "$t/comm")"; done >"$OUT/reapd.threads"
fi
kill "$SAMPLER_PID" 2>/dev/null
wait "$SAMPLER_PID" 2>/dev/null
result min_available_kib "$(cat "$OUT/min_available_kib" 2>/dev/null)"
rm -f /tmp/sampler-tick
memory_snapshot after
record_alive hog filler
result oom_kills_after "$(kernel_oom_kills)"
# The metrics file is rewritten at most once a second after a counter changed.
killed_in_metrics() { grep -q '^reapd_threshold_to_sigkill_seconds_count 1' "$METRICS"; }
wait_for 10 killed_in_metrics || log "the metrics file does not show the kill"
cp "$METRICS" "$OUT/metrics.prom" 2>/dev/null
stop_reapd
