# After systemd-watchdog.sh, in the same 6.12 boot (docs/cgroups.md). reapd.service is stopped; reapd runs from here
# with --kill-scope cgroup, guarding the whole guest (1536 MiB, no swap).
# (a) systemd units (sized so that the grower's death lifts the guest back above the term line: the test asserts one
#     victim). omit.service (ManagedOOMPreference=omit) holds the largest process; low.service in a.slice holds
#     the next largest but stays under its MemoryLow=; grow.service in b.slice runs a 16 MiB helper and a hog that
#     grows until reapd acts. By badness alone the omitted or the protected process would die; cgroup-first chooses
#     b.slice/grow.service (most usage over protection), and the cgroup scope takes its helper along.
# (b) a kubelet-style tree (systemd driver), made as the kubelet makes it, each container's oom_score_adj as the
#     kubelet sets it: a best-effort pod, two burstable pods (one 200 MiB over its request, one 50 MiB over), a
#     guaranteed pod whose second container grows. Expected kills: best effort (although the first burstable pod's
#     process has the higher badness), the burstable pod most over its request, the other burstable pod; the
#     guaranteed pod last.
systemctl stop reapd.service
mkdir -p /run/systemd/system
unit() { printf '%s\n' "$2" >"/run/systemd/system/$1"; }
unit a.slice "[Slice]"
unit b.slice "[Slice]"
unit omit.service "[Service]
ManagedOOMPreference=omit
ExecStart=$HOG --mib 450"
unit low.service "[Service]
Slice=a.slice
MemoryLow=900M
ExecStart=$HOG --mib 350"
unit grow.service "[Service]
Slice=b.slice
ExecStart=/bin/sh -c '$HOG --mib 16 & exec $HOG --mib 4096 --rate-mib-s 32 --ignore-term'"
systemctl daemon-reload
systemctl start omit.service low.service
main_pid() { systemctl show -p MainPID --value "$1"; }
omit_PID=$(main_pid omit.service)
low_PID=$(main_pid low.service)
result omit_xattr "$(/usr/bin/python3 -c "import os; print(os.getxattr('/sys/fs/cgroup/system.slice/omit.service', 'user.oomd_omit').decode())" 2>/dev/null || echo none)"
result low_memory_low "$(cat /sys/fs/cgroup/a.slice/low.service/memory.low)"
held() { [ "$(awk '/^VmRSS/ { print $2 }' "/proc/$1/status" 2>/dev/null || echo 0)" -gt "$(($2 << 10))" ]; }
# reapd starts while the hogs fill (no pressure until grow.service starts): the guest's time is bounded.
start_reapd --kill-scope cgroup
wait_for 60 held "$omit_PID" 400 || log "omit.service's hog is not ready"
wait_for 60 held "$low_PID" 300 || log "low.service's hog is not ready"
systemctl start grow.service
grow_PID=$(main_pid grow.service)
# The helper is the grower's child: sh forked it, then exec'd the grower.
wait_for 30 pgrep -P "$grow_PID" || log "grow.service's helper did not start"
helper_PID=$(pgrep -P "$grow_PID" | head -n 1)
result grow_pid "$grow_PID"
result helper_pid "$helper_PID"
result omit_pid "$omit_PID"
result low_pid "$low_PID"
wait_for 150 gone "$grow_PID" || log "grow.service's hog is still alive"
wait_for 60 has_event settle || log "no settle event"
wait_for 30 gone "$helper_PID" || log "the helper is still alive"
record_alive omit low grow helper
result grow_active "$(systemctl is-active grow.service)"
stop_reapd
cp "$OUT/reapd.jsonl" "$OUT/units.jsonl"
systemctl stop omit.service low.service grow.service 2>/dev/null

# (b) The kubelet's tree. Capacity is MemTotal, as the kubelet's machine info reads it.
K=/sys/fs/cgroup/kubepods.slice
BE=$K/kubepods-besteffort.slice
BU=$K/kubepods-burstable.slice
capacity=$(($(awk '/MemTotal/ { print $2 }' /proc/meminfo) * 1024))
burstable_adj() { local a=$((1000 - 1000 * ($1 << 20) / capacity)); [ $a -lt 3 ] && a=3; [ $a -ge 1000 ] && a=999; echo $a; }
mkdir -p "$K"
echo +memory >"$K/cgroup.subtree_control"
mkdir -p "$BE" "$BU"
echo +memory >"$BE/cgroup.subtree_control"
echo +memory >"$BU/cgroup.subtree_control"
pod() { mkdir -p "$1" "$1/cri-containerd-$2.scope"; echo +memory >"$1/cgroup.subtree_control"; }
pod "$BE/kubepods-besteffort-podbe.slice" be
pod "$BU/kubepods-burstable-podover.slice" over
pod "$BU/kubepods-burstable-podnear.slice" near
pod "$K/kubepods-podg.slice" g1
mkdir -p "$K/kubepods-podg.slice/cri-containerd-g2.scope"
result over_adj "$(burstable_adj 100)"
result near_adj "$(burstable_adj 400)"
start_hog be "$BE/kubepods-besteffort-podbe.slice/cri-containerd-be.scope" --mib 100 --adj 1000
start_hog over "$BU/kubepods-burstable-podover.slice/cri-containerd-over.scope" --mib 300 --adj "$(burstable_adj 100)"
start_hog near "$BU/kubepods-burstable-podnear.slice/cri-containerd-near.scope" --mib 450 --adj "$(burstable_adj 400)"
start_hog g1 "$K/kubepods-podg.slice/cri-containerd-g1.scope" --mib 200 --adj -997
start_reapd --kill-scope process
for name in be over near g1; do wait_for 60 has_line "$OUT/$name.out" ready || log "$name not ready"; done
start_hog g2 "$K/kubepods-podg.slice/cri-containerd-g2.scope" --mib 4096 --rate-mib-s 64 --adj -997 --ignore-term
wait_for 200 gone "$near_PID" || log "the near pod's container is still alive"
wait_for 60 bash -c "[ \$(grep -c '\"event\":\"settle\"' $OUT/reapd.jsonl) -ge 3 ]" || log "fewer than three settle events"
record_alive be over near g1 g2
stop_reapd
cp "$OUT/reapd.jsonl" "$OUT/pods.jsonl"
for name in be over near g1 g2; do eval "kill -KILL \$${name}_PID" 2>/dev/null; done
sleep 1
find "$K" -depth -type d -exec rmdir {} + 2>/dev/null
