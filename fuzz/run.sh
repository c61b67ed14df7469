#!/usr/bin/env bash
# Coverage-guided fuzzing of one reapd parser with AFL++ through SharpFuzz (docs/reliability.md, "Fuzzing").
#   fuzz/run.sh TARGET DURATION_SECONDS     e.g. fuzz/run.sh stat 600
#   fuzz/run.sh list                        the targets
# Needs afl-fuzz (Debian: afl++) and the SharpFuzz.CommandLine dotnet tool (installed here on first use into
# artifacts/fuzz/tools). Seeds: the real fixtures of tests/fixtures for that parser. Findings: artifacts/fuzz/TARGET/out
# (default/crashes, default/hangs). The config target's seeds: packaging/reapd.toml and tests/fixtures/config; the last line printed is "TARGET: N executions, C crashes, H hangs".
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(dirname "$here")"
target="${1:?usage: fuzz/run.sh TARGET DURATION_SECONDS | list}"
fixtures="$repo/tests/fixtures"

seeds_for() {
  case "$1" in
    stat) ls "$fixtures"/proc/*/stat ;;
    status) ls "$fixtures"/proc/*/status "$fixtures"/coredump/status ;;
    cgroup) ls "$fixtures"/proc/*/cgroup ;;
    cmdline) ls "$fixtures"/proc/*/cmdline ;;
    meminfo) ls "$fixtures"/proc/meminfo "$fixtures"/cgroup2/proc/meminfo ;;
    pressure) ls "$fixtures"/proc/pressure/* "$fixtures"/cgroup2/memory.pressure ;;
    oom_score_adj) ls "$fixtures"/proc/*/oom_score_adj ;;
    cgroup_procs) printf '1\n22\n333\n' > "$work/seed-procs"; echo "$work/seed-procs" ;;
    cgroup_value) ls "$fixtures"/cgroup2/memory.{current,max,high,swap.current,swap.max} "$fixtures"/cgroup1/memory.{limit,usage}_in_bytes ;;
    flat_keyed) ls "$fixtures"/cgroup1/memory.stat "$fixtures"/cgroup1/memory.oom_control "$fixtures"/cgroup2/memory.stat ;;
    memory_events) ls "$fixtures"/cgroup2/memory.events ;;
    # The shipped example as it is (all comments) and with its example keys uncommented, and the config test files.
    config) sed -E 's/^#([a-z_]+ = |\[)/\1/' "$repo/packaging/reapd.toml" > "$work/seed-example-uncommented.toml"
            ls "$repo/packaging/reapd.toml" "$work/seed-example-uncommented.toml" "$fixtures"/config/*.toml ;;
    *) return 1 ;;
  esac
}

targets="stat status cgroup cmdline meminfo pressure oom_score_adj cgroup_procs cgroup_value flat_keyed memory_events config"
if [ "$target" = list ]; then
  echo "$targets"
  exit 0
fi
duration="${2:?usage: fuzz/run.sh TARGET DURATION_SECONDS}"
case " $targets " in *" $target "*) ;; *) echo "fuzz/run.sh: unknown target '$target' (fuzz/run.sh list)" >&2; exit 2 ;; esac
command -v afl-fuzz >/dev/null || { echo "fuzz/run.sh: afl-fuzz is missing (apt-get install afl++)" >&2; exit 3; }

out="$repo/artifacts/fuzz"
work="$out/$target"
tools="$out/tools"
bin="$out/bin"
mkdir -p "$work/in" "$tools"
if [ ! -x "$tools/sharpfuzz" ]; then
  dotnet tool install SharpFuzz.CommandLine --version 2.3.0 --tool-path "$tools" >/dev/null
fi
# Publish once and instrument the code under test only (the harness itself needs no coverage): Reapd.Core (the
# parsers), and for the config target reapd.dll (the configuration reader) and Tomlyn.dll (the TOML parser under it).
if [ ! -f "$bin/.instrumented" ] || [ -n "$(find "$repo/src/Reapd.Core" "$repo/src/Reapd" "$here/Reapd.Fuzz" -name '*.cs' -newer "$bin/.instrumented" | head -1)" ]; then
  rm -rf "$bin"
  dotnet publish "$here/Reapd.Fuzz/Reapd.Fuzz.csproj" -c Release -o "$bin" --nologo -v quiet >/dev/null
  for assembly in Reapd.Core.dll reapd.dll Tomlyn.dll; do "$tools/sharpfuzz" "$bin/$assembly" >/dev/null; done
  touch "$bin/.instrumented"
fi
rm -rf "$work/in"/* "$work/out"
mkdir -p "$work/in"
seeds=$(seeds_for "$target")
for seed in $seeds; do cp "$seed" "$work/in/$(echo "$seed" | sed "s|$fixtures/||; s|/|_|g")"; done

# dotnet is not an AFL-instrumented binary (the coverage map comes from the instrumented IL), hence SKIP_BIN_CHECK.
export AFL_SKIP_BIN_CHECK=1 AFL_NO_UI=1 AFL_SKIP_CPUFREQ=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 AFL_NO_AFFINITY=1
timeout --signal=INT "$((duration + 60))" afl-fuzz -V "$duration" -i "$work/in" -o "$work/out" -t 5000 -m none \
  -- "$bin/Reapd.Fuzz" "$target" > "$work/afl.log" 2>&1 || { echo "fuzz/run.sh: afl-fuzz failed, see $work/afl.log" >&2; tail -20 "$work/afl.log" >&2; exit 1; }

stats="$work/out/default/fuzzer_stats"
execs=$(awk -F' *: *' '$1=="execs_done"{print $2}' "$stats")
crashes=$(find "$work/out/default/crashes" -type f -name 'id:*' | wc -l)
hangs=$(find "$work/out/default/hangs" -type f -name 'id:*' | wc -l)
paths=$(awk -F' *: *' '$1=="corpus_count"{print $2}' "$stats")
echo "$target: $execs executions, $paths corpus entries, $crashes crashes, $hangs hangs"
[ "$crashes" -eq 0 ] && [ "$hangs" -eq 0 ]
