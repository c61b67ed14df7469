#!/bin/bash
# The guest side of every scenario (docs/platforms.md). Runs as root in the guest, on this machine's root file
# system shared read-only; /mnt is the directory shared with the host test. Sources env.sh (paths of reapd and the
# helpers, and SCENARIOS, set by the host), defines the helpers below, then runs each scenario NAME.sh of SCENARIOS
# in turn in a subshell writing to /mnt/NAME/ (scenario.log, result.txt, reapd.jsonl, dmesg.txt...); after each one
# every process it left and every cgroup reapd-* is killed and removed. Then the guest powers off. The host test
# reads the files and asserts; nothing here decides pass or fail.
set -u
SHARED=/mnt
. "$SHARED/env.sh"
exec >"$SHARED/guest.log" 2>&1
CG=/sys/fs/cgroup
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
# The scenario's own shell and the tools it runs are never anyone's victim (every test process sets its own adj).
echo -1000 >/proc/self/oom_score_adj

log() { echo "[$(cut -d' ' -f1 /proc/uptime)] $*"; }
# result KEY VALUE: one line KEY=VALUE in result.txt for the host test.
result() { echo "$1=$2" >>"$OUT/result.txt"; }

# wait_for SECONDS COMMAND...: runs COMMAND every 0.2 s until it succeeds; 1 when SECONDS pass first.
wait_for() {
    local deadline=$(($(date +%s) + $1))
    shift
    until "$@"; do
        [ "$(date +%s)" -ge "$deadline" ] && return 1
        sleep 0.2
    done
}

# has_event NAME [FILE]: reapd (--json) wrote an event NAME.
has_event() { grep -q "\"event\":\"$1\"" "$OUT/${2:-reapd.jsonl}"; }
has_line() { grep -q "$2" "$1"; }

# memcg NAME: a child of the cgroup v2 root with the memory controller enabled for it; prints its path.
memcg() {
    grep -qw memory "$CG/cgroup.subtree_control" || echo +memory >"$CG/cgroup.subtree_control"
    mkdir -p "$CG/$1"
    echo "$CG/$1"
}

# memory_event CGROUP KEY: one counter of CGROUP/memory.events.
memory_event() { awk -v k="$2" '$1 == k { print $2 }' "$1/memory.events"; }

# zram_swap MIB: /dev/zram0 (its module loaded at boot) as MIB of swap, compressed with the kernel's default; reset
# first if an earlier scenario used it.
zram_swap() {
    swapoff /dev/zram0 2>/dev/null
    echo 1 >/sys/block/zram0/reset
    echo "$(($1 << 20))" >/sys/block/zram0/disksize || log "zram disksize refused"
    mkswap /dev/zram0 >/dev/null && swapon /dev/zram0 || log "swapon /dev/zram0 failed"
    result zram_algorithm "$(cat /sys/block/zram0/comp_algorithm)"
    result swap_total_kib "$(awk '/SwapTotal/ { print $2 }' /proc/meminfo)"
}

# trace_pressure FILE: every 0.5 s or so one line "UPTIME_S SOME_TOTAL_US FULL_TOTAL_US PSWPIN PSWPOUT REFAULT_ANON REFAULT_FILE"
# (the machine's memory PSI totals and /proc/vmstat's swap and refault counters), to record what a thrash looks like
# to the thrash condition (the recordings under tests/fixtures/thrash/ came from here). Run it as a background job:
# end_scenario stops it.
trace_pressure() {
    # Bash builtins only (a fork costs about a second per sample in a TCG guest under pressure); the read with a
    # timeout on a FIFO nobody writes is the 0.5 s sleep (the guest has no /dev/fd for a process substitution).
    local up some full k v pin pout ra rf
    # The FIFO lives on the guest's tmpfs: the shared 9p directory cannot hold one.
    local fifo=/tmp/trace-pressure-$$.fifo
    rm -f "$fifo" && mkfifo "$fifo" && exec 9<>"$fifo" && rm -f "$fifo" || return 1
    while :; do
        read -r up _ </proc/uptime
        { read -r _ _ _ _ some; read -r _ _ _ _ full; } </proc/pressure/memory
        while read -r k v; do
            case $k in pswpin) pin=$v ;; pswpout) pout=$v ;; workingset_refault_anon) ra=$v ;; workingset_refault_file) rf=$v ;; esac
        done </proc/vmstat
        echo "$up ${some#total=} ${full#total=} $pin $pout $ra $rf" >>"$1"
        read -r -t 0.5 -u 9
    done
}

# kernel_oom_kills: the kernel OOM killer's kills since boot (/proc/vmstat oom_kill).
kernel_oom_kills() { awk '$1 == "oom_kill" { print $2 }' /proc/vmstat; }

# memory_snapshot PREFIX: MemAvailable, SwapFree, zram's real size and PSI of the machine, as PREFIX_* results.
memory_snapshot() {
    result "$1_available_mib" $(($(awk '/MemAvailable/ { print $2 }' /proc/meminfo) >> 10))
    result "$1_swap_free_mib" $(($(awk '/SwapFree/ { print $2 }' /proc/meminfo) >> 10))
    [ -r /sys/block/zram0/mm_stat ] && result "$1_zram_mm_stat" "$(cat /sys/block/zram0/mm_stat)"
    # What reclaim can still swap out (the zram-aware bound's anonymous-memory term), and the whole file for fixtures.
    result "$1_anon_mib" $(($(awk '/^Active\(anon\)|^Inactive\(anon\)/ { s += $2 } END { print s }' /proc/meminfo) >> 10))
    cp /proc/meminfo "$OUT/$1.meminfo"
    result "$1_psi" "$(tr '\n' ' ' </proc/pressure/memory)"
}

# start_reapd ARGS...: reapd run --json ARGS in the background, its events in reapd.jsonl; waits for "start".
start_reapd() {
    "$REAPD" run --json "$@" >"$OUT/reapd.jsonl" 2>"$OUT/reapd.err" &
    REAPD_PID=$!
    wait_for 120 has_event start || log "reapd wrote no start event"
}

stop_reapd() {
    kill -TERM "$REAPD_PID" 2>/dev/null
    wait "$REAPD_PID"
    result reapd_exit $?
}

# start_hog NAME CGROUP HOG-ARGS...: tests/native/hog moved into CGROUP ("-": stays where it is), its output in
# NAME.out; sets NAME_PID.
start_hog() {
    local name=$1 cgroup=$2
    shift 2
    [ "$cgroup" = - ] || set -- --cgroup-procs "$cgroup/cgroup.procs" "$@"
    "$HOG" "$@" >"$OUT/$name.out" 2>&1 &
    eval "${name}_PID=$!"
    result "${name}_pid" "$!"
}

# await_kill NAME: waits (bounded) until process NAME (started by start_hog) is gone and reapd has settled.
await_kill() {
    local pid
    eval "pid=\$${1}_PID"
    wait_for 150 gone "$pid" || log "$1 is still alive"
    wait_for 60 has_event settle || log "no settle event"
}

# record_alive NAME...: NAME_alive=yes|no for each process started by start_hog.
record_alive() {
    local name pid
    for name in "$@"; do
        eval "pid=\$${name}_PID"
        result "${name}_alive" "$(alive "$pid" && echo yes || echo no)"
    done
}

alive() { kill -0 "$1" 2>/dev/null && ! grep -q '^State:.*Z' "/proc/$1/status" 2>/dev/null; }
gone() { ! alive "$1"; }

# end_scenario: kills what the scenario left running (its background jobs, every process in a reapd-* cgroup) and
# removes those cgroups, so that the next scenario starts on an idle guest.
end_scenario() {
    local pids g
    pids=$(jobs -p)
    [ -n "$pids" ] && kill -KILL $pids 2>/dev/null
    for g in "$CG"/reapd-*/ "$CG"/*/reapd-test-*/; do
        [ -d "$g" ] || continue
        echo 1 >"$g/cgroup.kill" 2>/dev/null
    done
    wait 2>/dev/null
    for g in $(find "$CG" -mindepth 1 -depth -type d \( -path "$CG/reapd-*" -o -name 'reapd-test-*' \) 2>/dev/null); do
        rmdir "$g" 2>/dev/null || { sleep 0.5; rmdir "$g" 2>/dev/null; }
    done
}

for name in $SCENARIOS; do
    OUT="$SHARED/$name"
    mkdir -p "$OUT"
    (
        exec >"$OUT/scenario.log" 2>&1
        log "scenario $name on $(uname -r), $(nproc) CPUs, $(awk '/MemTotal/ {print $2}' /proc/meminfo) KiB"
        result kernel "$(uname -r)"
        result uptime_start "$(cut -d' ' -f1 /proc/uptime)"
        . "$SHARED/$name.sh"
        result scenario_exit $?
        result uptime_end "$(cut -d' ' -f1 /proc/uptime)"
        end_scenario
        dmesg >"$OUT/dmesg.txt" 2>&1
        dmesg -C
    )
    log "scenario $name done"
done
sync
if [ "$GUEST_SYSTEMD" = 1 ]; then
    systemctl --force --force poweroff
fi
