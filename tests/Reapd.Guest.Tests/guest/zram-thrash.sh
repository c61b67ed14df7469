# System scope with zram swap: a working set larger than the guest's memory (2:1 compressible, about 200 MiB more than
# MemAvailable) touched over and over: it thrashes on 512 MiB of zram while swap keeps room, so the low-memory-and-low-swap
# condition never holds. The thrash condition (6.12) or the full-stall condition (PSI full, 30 % of a 10 s window, on
# the other kernels) makes reapd kill it, before the kernel's OOM killer. A 16 MiB bystander (oom_score_adj 0) must outlive the next 12 s, longer than the stall
# window that still remembers the thrash.
zram_swap 512
trace_pressure "$OUT/pressure.trace" &
available_mib=$(($(awk '/MemAvailable/ { print $2 }' /proc/meminfo) >> 10))
result oom_kills_before "$(kernel_oom_kills)"
start_hog bystander - --mib 16 --adj 0
wait_for 60 has_line "$OUT/bystander.out" ready || log "bystander not ready"
# --no-zram-aware: this scenario tests the full-stall condition. zram-aware free swap (the default) counts zram's room
# as no more than the memory left can hold, so here the memory-and-swap line would act first (zram-limit tests that).
# On 6.12 reapd runs with its defaults for the stall: the thrash condition at 40 % (given explicitly, so that the scenario keeps
# testing it should the default change) and the full-stall condition (60 % of 10 s); on the other kernels also the full-stall
# condition at 30 % of 10 s, as before, to keep the suite's guest time.
case $(uname -r) in
6.12.*) start_reapd --no-zram-aware --thrash-percent 40 ;;
*) start_reapd --psi-full-percent 30 --no-zram-aware ;;
esac
start_hog hog - --mib $((available_mib + 200)) --rate-mib-s 48 --fill half --touch-loop --ignore-term
await_kill hog
memory_snapshot after
sleep 12 # an observation window: no second victim once the thrash is over
record_alive hog bystander
result oom_kills_after "$(kernel_oom_kills)"
stop_reapd
