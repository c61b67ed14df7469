# System scope with zram swap: a hog ramps (2:1 compressible data) past memory and then past the 512 MiB zram swap.
# PSI's kill condition is off, so the earlyoom-style one acts: memory and swap both below the kill level. reapd
# kills the hog before the kernel's OOM killer does.
zram_swap 512
total_mib=$(($(awk '/MemTotal/ { print $2 }' /proc/meminfo) >> 10))
result oom_kills_before "$(kernel_oom_kills)"
start_reapd --psi-full-percent off
start_hog hog - --mib $((total_mib * 3)) --rate-mib-s 64 --fill half --ignore-term
await_kill hog
memory_snapshot after
record_alive hog
result oom_kills_after "$(kernel_oom_kills)"
stop_reapd
