# The benchmark's guest mode (bench/README.md, "Guest mode"): the runner of bench/Reapd.Bench itself, in this guest
# (systemd as PID 1, cgroup v2, 6.12), with the daemons one at a time in rotating order; its tables, plots and
# runs.csv are written here, to the share, for the host to copy into bench/results/swap-guest. Nothing is asserted here.
export HOME=/tmp DOTNET_NOLOGO=1 DOTNET_CLI_TELEMETRY_OPTOUT=1
result guest_mem_total_kib "$(awk '/MemTotal/ { print $2 }' /proc/meminfo)"
result lru_gen_enabled "$(cat /sys/kernel/mm/lru_gen/enabled 2>/dev/null || echo none)"
result oomd_version "$(/lib/systemd/systemd-oomd --version 2>/dev/null | head -1)"
log "bench: dotnet $BENCH_DLL --in-guest $BENCH_ARGS"
# shellcheck disable=SC2086 # BENCH_ARGS is a list of options
/usr/bin/dotnet "$BENCH_DLL" --in-guest --reapd "$REAPD" --results "$OUT" --no-readme $BENCH_ARGS >"$OUT/bench.log" 2>&1
result bench_exit $?
