# System scope with zram swap, nothing thrashing: a hog (2:1 compressible data) takes most of the memory, a second one
# grows slowly (12 MiB/s, so that kswapd keeps up and nobody stalls long in direct reclaim) and pushes about 100 MiB
# of the first into zram; then both hold still for 10 s. Memory is low but swap has room and the machine merely swaps:
# reapd kills nobody. It runs zram-aware: the zram bound must count the room that swapping the hogs' pages makes.
zram_swap 512
trace_pressure "$OUT/pressure.trace" &
result oom_kills_before "$(kernel_oom_kills)"
# The 10 s full-stall condition is off here: under TCG on a loaded host this push-out alone has stalled 60 % of 10 s
# on 6.1 (a clean-clone CI run, 30 Nov 2026: full avg10 42 %, the condition's window 60 %), and a stall that long is
# that condition's to act on (zram-thrash tests it). What must stay quiet here is the zram-aware memory-and-swap line
# and the thrash condition (on, its default), which tells a push-out from a working set coming back.
start_reapd --zram-aware --psi-full-percent off
available_mib=$(($(awk '/MemAvailable/ { print $2 }' /proc/meminfo) >> 10))
start_hog first - --mib $((available_mib - 150)) --rate-mib-s 48 --fill half --ignore-term
wait_for 120 has_line "$OUT/first.out" ready || log "first hog not ready"
memory_snapshot first
start_hog second - --mib 250 --rate-mib-s 12 --fill half --ignore-term
wait_for 180 has_line "$OUT/second.out" ready || log "second hog not ready"
memory_snapshot held
sleep 10 # an observation window: reapd must stay quiet through it
memory_snapshot after
record_alive first second
result oom_kills_after "$(kernel_oom_kills)"
stop_reapd
