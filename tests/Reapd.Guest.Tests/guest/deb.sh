# The Debian package (packaging/deb/build-deb.sh) under systemd 252 as PID 1 on a writable overlay root (the host's
# root below, a tmpfs above; the host's dpkg database is the guest's): apt-get installs it from the file with no
# network, dpkg's maintainer scripts enable and start reapd.service, reapd guards the guest (it kills a hog in
# victim.service), then apt-get remove stops it and keeps the conffile, and apt-get purge leaves nothing behind.
export DEBIAN_FRONTEND=noninteractive
UPPER=/run/reapd-guest-overlay/upper
UNIT=reapd.service
status() { dpkg-query -W -f='${db:Status-Abbrev}' reapd 2>/dev/null || echo unknown; }
load_state() { systemctl show -p LoadState --value "$UNIT"; }
exists() { [ -e "$1" ] || [ -L "$1" ] && echo yes || echo no; }
reapd_started() { journalctl -u "$UNIT" -o cat | grep -q '^start '; }

result pid1 "$(cat /proc/1/comm)"
result root_fs "$(stat -f -c %T /)"
result status_before "$(status)"
result oom_kills_before "$(kernel_oom_kills)"

# The guest has no network: apt reads no package lists (the host's, 26 MB, cost minutes to parse under TCG) and
# resolves the package's dependencies against the dpkg database alone.
mkdir -p /run/reapd-guest-no-sources
printf 'Dir::Etc::SourceList "/dev/null";\nDir::Etc::SourceParts "/run/reapd-guest-no-sources";\n' \
    >/etc/apt/apt.conf.d/00offline-guest

# man-db's trigger rebuilds the index of every page after each install or removal (10-20 s per apt run under TCG);
# `man -w` finds the page without that index, so the guest turns the trigger off as man-db's debconf question does.
rm -f /var/lib/man-db/auto-update

# No policy-rc.d for the first install (this machine's root is a container image whose policy-rc.d forbids starting
# any service; it goes, in the guest's overlay only): the postinst enables and starts reapd.service.
rm -f /usr/sbin/policy-rc.d
log "apt-get install $DEB"
apt-get install -y "$DEB" >"$OUT/apt-install.log" 2>&1
result install_exit $?
log "installed"
result status_installed "$(status)"
result version_installed "$(dpkg-query -W -f='${Version}' reapd)"
dpkg -L reapd >"$OUT/files.txt"
dpkg-query -W -f='${Conffiles}\n' reapd >"$OUT/conffiles.txt"
result is_enabled "$(systemctl is-enabled "$UNIT")"
result wants_link "$(readlink -f /etc/systemd/system/multi-user.target.wants/$UNIT)"
wait_for 120 reapd_started || log "$UNIT wrote no start event"
result is_active "$(systemctl is-active "$UNIT")"
reapd_pid=$(systemctl show -p MainPID --value "$UNIT")
result reapd_pid "$reapd_pid"
result reapd_exe "$(readlink "/proc/$reapd_pid/exe")"
result reapd_adj "$(cat "/proc/$reapd_pid/oom_score_adj")"
result man_path "$(man -w reapd 2>&1)"

# It guards: a hog in victim.service outgrows the guest's memory, reapd kills it.
systemctl start victim.service
victim_pid=$(systemctl show -p MainPID --value victim.service)
result victim_pid "$victim_pid"
victim_done() { ! systemctl is-active -q victim.service; }
wait_for 240 victim_done || log "victim.service is still active"
result victim_result "$(systemctl show -p Result --value victim.service)"
result victim_exec_status "$(systemctl show -p ExecMainStatus --value victim.service)"
sleep 1 # let journald take reapd's last lines
journalctl -u "$UNIT" -o json >"$OUT/reapd.journal.json"
result is_active_after_kill "$(systemctl is-active "$UNIT")"
result oom_kills_after "$(kernel_oom_kills)"

# The configuration file under systemd: the installed /etc/reapd/reapd.toml (every key commented out) checks ok; an
# edit applied with `systemctl reload` (ExecReload sends SIGHUP; reapd answers RELOADING=1 ... READY=1) is used; a
# broken edit is refused with its problem and the daemon goes on, same process.
CONF=/etc/reapd/reapd.toml
journal_has() { journalctl -u "$UNIT" -o cat | grep -qF -- "$1"; }
/usr/sbin/reapd check-config "$CONF" >"$OUT/check-config.txt" 2>&1
result config_check_exit $?
result config_in_start "$(journal_has "config=$CONF" && echo yes || echo no)"
sed -i '0,/^#term_percent = 10$/s//term_percent = 12/' "$CONF"
timeout 60 systemctl reload "$UNIT"
result reload_exit $?
wait_for 30 journal_has "changed=memory.term_percent" || log "no reloaded event"
printf 'bogus = 1\n' >>"$CONF"
timeout 60 systemctl reload "$UNIT"
result reload_bad_exit $?
wait_for 30 journal_has "reload-refused" || log "no reload-refused event"
journalctl -u "$UNIT" -o cat | grep -E '^(reloaded|reload-refused) ' >"$OUT/reloads.txt"
result reload_pid "$(systemctl show -p MainPID --value "$UNIT")"
result is_active_after_reload "$(systemctl is-active "$UNIT")"

# A policy-rc.d that forbids starting services (exit 101) is honoured: the postinst of a reinstall (an upgrade in
# dpkg's terms) does not restart the running daemon.
printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d && chmod 755 /usr/sbin/policy-rc.d
log "apt-get install --reinstall $DEB (policy-rc.d: exit 101)"
apt-get install -y --reinstall "$DEB" >"$OUT/apt-reinstall-policy.log" 2>&1
result policy_reinstall_exit $?
result policy_pid "$(systemctl show -p MainPID --value "$UNIT")"
rm /usr/sbin/policy-rc.d

log "apt-get remove reapd"
apt-get remove -y reapd >"$OUT/apt-remove.log" 2>&1
result remove_exit $?
result status_removed "$(status)"
result removed_active "$(systemctl is-active "$UNIT")"
result removed_pid_alive "$(alive "$reapd_pid" && echo yes || echo no)"
result removed_binary "$(exists /usr/sbin/reapd)"
result removed_unit_file "$(exists /usr/lib/systemd/system/$UNIT)"
result removed_conffile "$(exists /etc/default/reapd)"
result removed_load_state "$(load_state)"
log "removed"

log "apt-get purge reapd"
apt-get purge -y reapd >"$OUT/apt-purge.log" 2>&1
result purge_exit $?
result status_purged "$(status)"
log "purged"
result purged_load_state "$(load_state)"
result purged_unit_files "$(systemctl list-unit-files --no-legend "$UNIT" | wc -l)"
# Every path the package had installed: gone, unless it is a directory another package owns too (/usr/sbin...).
: >"$OUT/left.txt"
dirs=()
while read -r path; do
    [ "$path" = /. ] && continue
    [ -e "$path" ] || [ -L "$path" ] || continue
    if [ -d "$path" ] && [ ! -L "$path" ]; then dirs+=("$path"); else echo "$path" >>"$OUT/left.txt"; fi
done <"$OUT/files.txt"
# One dpkg-query for all of them (each run reads the whole database: seconds under TCG); it prints "PKG[:ARCH], ...: PATH".
owned=$(dpkg-query -S "${dirs[@]}" 2>/dev/null | sed 's/.*: //')
for path in "${dirs[@]}"; do
    grep -qxF "$path" <<<"$owned" || echo "$path" >>"$OUT/left.txt"
done
# What the scripts and systemd made besides the package's files: enablement links, mask, recorded state.
for path in /etc/systemd/system/multi-user.target.wants/$UNIT /etc/systemd/system/$UNIT \
    /var/lib/systemd/deb-systemd-helper-enabled/$UNIT.dsh-also \
    /var/lib/systemd/deb-systemd-helper-enabled/multi-user.target.wants/$UNIT \
    /var/lib/systemd/deb-systemd-helper-masked/$UNIT; do
    [ -e "$path" ] || [ -L "$path" ] && echo "$path" >>"$OUT/left.txt"
done
# Everything the guest wrote on its root is in the overlay's upper layer: nothing named after reapd may stay there.
find "$UPPER" -name '*reapd*' >"$OUT/upper-reapd.txt" 2>&1
(cd "$UPPER" && find . -not -type d | sort) >"$OUT/upper-files.txt" 2>&1
