# systemd 252 as PID 1 (this machine's own, from the shared root): reapd started from docs/packaging/reapd.service
# (only ExecStart points at the published binary) guards the whole guest under the unit's hardening; victim.service
# runs a hog that outgrows memory, in a cgroup with memory.oom.group set. reapd kills it (through cgroup.kill), and
# systemd records the unit's failure with the reason (Result=signal, status 9/KILL);
# reapd's events are native journal entries with REAPD_* fields. A logged-in desktop user (uid 65534, set up here as
# logind and dbus-user-session would: a tmpfs at /run/user/65534 mounted after reapd started, a session bus at its
# bus socket, a notification server owning org.freedesktop.Notifications) gets the kill's desktop notification
# through the unit's sandbox.
result pid1 "$(cat /proc/1/comm)"
result cgroup_fs "$(stat -f -c %T /sys/fs/cgroup)"
result oom_kills_before "$(kernel_oom_kills)"
# logind makes /run/user at boot, before any login; reapd's ProtectHome=read-only then bind-mounts it read-only.
mkdir -p /run/user
# Type=notify: `systemctl start` returns once reapd said READY=1, and that message carried the first STATUS=.
systemctl start reapd.service
result reapd_state "$(systemctl is-active reapd.service)"
result reapd_type "$(systemctl show -p Type --value reapd.service)"
result reapd_status_at_start "$(systemctl show -p StatusText --value reapd.service)"
result reapd_exec_start_mono "$(systemctl show -p ExecMainStartTimestampMonotonic --value reapd.service)"
result reapd_active_enter_mono "$(systemctl show -p ActiveEnterTimestampMonotonic --value reapd.service)"
reapd_started() { journalctl -u reapd.service -o cat | grep -q '^start '; }
wait_for 120 reapd_started || log "reapd.service wrote no start event"
reapd_pid=$(systemctl show -p MainPID --value reapd.service)
result reapd_pid "$reapd_pid"
result reapd_adj "$(cat "/proc/$reapd_pid/oom_score_adj")"
result reapd_cgroup "$(cut -d: -f3 "/proc/$reapd_pid/cgroup")"
# The session: a user's runtime directory is a tmpfs logind mounts at login (here after reapd's sandbox was made, so
# the mount must reach reapd's mount namespace), the bus is dbus-daemon's session configuration run as the user.
desktop_uid=65534
desktop_run=/run/user/$desktop_uid
mkdir -p "$desktop_run"
mount -t tmpfs -o "mode=0700,uid=$desktop_uid,gid=$desktop_uid,size=1m" tmpfs "$desktop_run"
as_desktop_user() { setpriv --reuid "$desktop_uid" --regid "$desktop_uid" --clear-groups "$@"; }
desktop_bus_pid=$(as_desktop_user dbus-daemon --session --address="unix:path=$desktop_run/bus" --fork --print-pid)
result desktop_bus_pid "$desktop_bus_pid"
# A notification server on the raw wire protocol (the shared root has no python3-dbus or notification daemon): it
# owns org.freedesktop.Notifications and prints each Notify with the caller's uid, as the bus daemon knows it.
cat >/tmp/notification-server.py <<'PYTHON'
import os, socket, struct, sys

# A minimal org.freedesktop.Notifications server on the raw D-Bus wire protocol (no python3-dbus on the shared root):
# it owns the name, and for each Notify prints what was asked and the uid the bus daemon knows for the caller.
def out(line):
    print(line, flush=True)

class W:
    def __init__(self): self.b = bytearray()
    def pad(self, n):
        while len(self.b) % n: self.b.append(0)
    def byte(self, v): self.b.append(v)
    def u32(self, v): self.pad(4); self.b += struct.pack('<I', v)
    def str(self, s):
        e = s.encode(); self.u32(len(e)); self.b += e + b'\0'
    def sig(self, s):
        e = s.encode(); self.byte(len(e)); self.b += e + b'\0'

serial = 0
def message(kind, fields, signature='', body=b''):
    global serial
    serial += 1
    w = W()
    w.b += b'l' + bytes([kind, 0, 1])
    w.u32(len(body)); w.u32(serial)
    w.u32(0)
    start = len(w.b)
    if signature: fields = fields + [(8, 'g', signature)]
    for code, t, v in fields:
        w.pad(8); w.byte(code); w.sig(t)
        if t == 'u': w.u32(v)
        elif t == 'g': w.sig(v)
        else: w.str(v)
    struct.pack_into('<I', w.b, 12, len(w.b) - start)
    w.pad(8)
    return bytes(w.b) + body, serial

def bus_call(member, signature='', body=b''):
    return message(1, [(1, 'o', '/org/freedesktop/DBus'), (2, 's', 'org.freedesktop.DBus'), (3, 's', member), (6, 's', 'org.freedesktop.DBus')], signature, body)

def recv_exact(s, n):
    data = b''
    while len(data) < n:
        chunk = s.recv(n - len(data))
        if not chunk: sys.exit(0)
        data += chunk
    return data

class R:
    def __init__(self, b, pos=0): self.b, self.p = b, pos
    def pad(self, n): self.p += (-self.p) % n
    def byte(self): self.p += 1; return self.b[self.p - 1]
    def u32(self): self.pad(4); self.p += 4; return struct.unpack_from('<I', self.b, self.p - 4)[0]
    def str(self):
        n = self.u32(); s = self.b[self.p:self.p + n].decode(); self.p += n + 1; return s
    def sig(self):
        n = self.byte(); s = self.b[self.p:self.p + n].decode(); self.p += n + 1; return s

def read_message(s):
    fixed = recv_exact(s, 16)
    body_len, msg_serial, fields_len = struct.unpack_from('<III', fixed, 4)
    rest_len = fields_len + (-(16 + fields_len)) % 8 + body_len
    data = fixed + recv_exact(s, rest_len)
    r = R(data, 16)
    fields = {}
    while r.p < 16 + fields_len:
        r.pad(8); code = r.byte(); t = r.sig()
        fields[code] = r.u32() if t == 'u' else r.sig() if t == 'g' else r.str()
    r.pad(8)
    return fixed[1], msg_serial, fields, R(data[r.p:])

sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
sock.connect(sys.argv[1])
sock.sendall(b'\0AUTH EXTERNAL ' + str(os.getuid()).encode().hex().encode() + b'\r\n')
line = b''
while not line.endswith(b'\r\n'): line += sock.recv(1)
if not line.startswith(b'OK'): out('auth=' + line.decode().strip()); sys.exit(1)
sock.sendall(b'BEGIN\r\n')

def call_and_wait(data, waited):
    sock.sendall(data)
    while True:
        kind, _, fields, body = read_message(sock)
        if fields.get(5) == waited: return kind, body

msg, sent = bus_call('Hello')
call_and_wait(msg, sent)
w = W(); w.str('org.freedesktop.Notifications'); w.u32(4)  # DBUS_NAME_FLAG_DO_NOT_QUEUE
msg, sent = bus_call('RequestName', 'su', bytes(w.b))
kind, body = call_and_wait(msg, sent)
out('request_name=%d' % body.u32())
while True:
    kind, msg_serial, fields, body = read_message(sock)
    if kind != 1 or fields.get(3) != 'Notify': continue
    app, _, icon, summary, text = body.str(), body.u32(), body.str(), body.str(), body.str()
    caller = fields.get(7, '')
    # The caller waits for the answer, so its connection is still there to ask the bus daemon who it is.
    w = W(); w.str(caller)
    q, sent = bus_call('GetConnectionUnixUser', 's', bytes(w.b))
    _, uid_body = call_and_wait(q, sent)
    out('notify app=%s icon=%s caller_uid=%d' % (app, icon, uid_body.u32()))
    out('summary=' + summary)
    out('body=' + text.replace('\n', ' '))
    w = W(); w.u32(1)
    reply, _ = message(2, [(5, 'u', msg_serial), (6, 's', caller)], 'u', bytes(w.b))
    sock.sendall(reply)
PYTHON
chmod 0644 /tmp/notification-server.py
as_desktop_user /usr/bin/python3 /tmp/notification-server.py "$desktop_run/bus" >"$OUT/notifications.txt" 2>&1 &
desktop_server_pid=$!
desktop_server_ready() { grep -q '^request_name=' "$OUT/notifications.txt"; }
wait_for 60 desktop_server_ready || log "the notification server did not take its name"
systemctl start victim.service
victim_pid=$(systemctl show -p MainPID --value victim.service)
result victim_pid "$victim_pid"
result victim_cgroup "$(cut -d: -f3 "/proc/$victim_pid/cgroup")"
result victim_comm "$(cat "/proc/$victim_pid/comm")"
result victim_oom_group "$(cat "/sys/fs/cgroup/system.slice/victim.service/memory.oom.group")"
victim_done() { ! systemctl is-active -q victim.service; }
wait_for 240 victim_done || log "victim.service is still active"
result victim_active "$(systemctl is-active victim.service)"
result victim_result "$(systemctl show -p Result --value victim.service)"
result victim_exec_code "$(systemctl show -p ExecMainCode --value victim.service)"
result victim_exec_status "$(systemctl show -p ExecMainStatus --value victim.service)"
# The notification goes out after the victim settled, from a child of reapd: wait for it to arrive and be logged.
desktop_notified() { grep -q '^summary=' "$OUT/notifications.txt" && journalctl -u reapd.service REAPD_EVENT=desktop-notify -o cat | grep -q .; }
wait_for 60 desktop_notified || log "no desktop notification arrived"
kill "$desktop_server_pid" "$desktop_bus_pid"
wait "$desktop_server_pid" 2>/dev/null
umount "$desktop_run" && rmdir "$desktop_run"
sleep 1 # let journald take the last lines of both units
journalctl -u victim.service -o cat >"$OUT/victim.journal"
journalctl -u reapd.service -o json >"$OUT/reapd.journal.json"
# reapd's native journal entries: the issue's query for its kills, and the plain lines as `journalctl -o cat` shows them.
journalctl -u reapd.service REAPD_EVENT=kill -o json >"$OUT/reapd.kills.json"
journalctl -u reapd.service REAPD_EVENT=desktop-notify -o json >"$OUT/reapd.desktop.json"
journalctl -u reapd.service -o cat >"$OUT/reapd.journal.txt"
systemctl status victim.service >"$OUT/victim.status" 2>&1
result reapd_state_after "$(systemctl is-active reapd.service)"
result oom_kills_after "$(kernel_oom_kills)"
result reapd_status_after "$(systemctl show -p StatusText --value reapd.service)"
