# System scope with zram swap whose memory is capped: a 512 MiB device with mem_limit 48 MiB. A hog ramps (2:1
# compressible data) past memory while SwapFree shows the device (nearly) free. The zram-aware reapd (--zram-aware)
# counts that free swap as what zram can still absorb (here: the limit's remaining memory at the device's ratio),
# and acts on memory-and-swap; a second reapd with --no-zram-aware in --dry-run watches the same machine and must
# not trigger (its SwapFree never gets low). In the second run of 29 Nov 2026 zram's memory reached 28 MiB of the
# limit and the bound 27 MiB with SwapFree at 511 MiB. Checks run on Debian's 6.12 only (the behaviour is zram's, not the
# kernel version's); on other kernels the scenario records that it did not run.
case "$(uname -r)" in
6.12.*) ;;
*)
    result ran no
    return 0
    ;;
esac
result ran yes
zram_swap 512
echo $((48 << 20)) >/sys/block/zram0/mem_limit || log "zram mem_limit refused"
result zram_mem_limit "$(awk '{ print $4 }' /sys/block/zram0/mm_stat)"
total_mib=$(($(awk '/MemTotal/ { print $2 }' /proc/meminfo) >> 10))
result oom_kills_before "$(kernel_oom_kills)"
"$REAPD" run --json --dry-run --no-zram-aware --psi-full-percent off >"$OUT/unaware.jsonl" 2>"$OUT/unaware.err" &
UNAWARE_PID=$!
wait_for 120 has_event start unaware.jsonl || log "the unaware reapd wrote no start event"
start_reapd --psi-full-percent off --zram-aware
start_hog hog - --mib $((total_mib * 2)) --rate-mib-s 64 --fill half --ignore-term
await_kill hog
memory_snapshot after
record_alive hog
result oom_kills_after "$(kernel_oom_kills)"
stop_reapd
kill -TERM "$UNAWARE_PID" 2>/dev/null
wait "$UNAWARE_PID"
result unaware_exit $?
