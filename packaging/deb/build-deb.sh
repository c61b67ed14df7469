#!/usr/bin/env bash
# Builds reapd_VERSION_amd64.deb from this repository with dpkg-deb (docs/packaging.md):
#   /usr/sbin/reapd                          the NativeAOT binary (published here, or --binary PATH)
#   /usr/lib/systemd/system/reapd.service    docs/packaging/reapd.service as it is now, ExecStart pointed at
#                                            /usr/sbin/reapd with the options of /etc/default/reapd
#   /etc/default/reapd                       the daemon's options (a conffile)
#   /usr/share/man/man8/reapd.8.gz           docs/reapd.8, when the repository has it
#   /usr/share/doc/reapd/                    README, docs/*.md, copyright, changelog.gz, changelog.Debian.gz
# and maintainer scripts that enable and start the unit on install, stop it on remove, and purge its state.
#
# usage: packaging/deb/build-deb.sh [--binary PATH] [--out DIR]
# Prints the path of the package on its last line. Exit codes: 0 built, 1 a build step failed, 2 bad command line
# or missing input, 3 a tool is missing (apt-get install dpkg-dev).
set -euo pipefail
umask 022

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
binary=""
out="$repo/artifacts/deb"

die() { echo "build-deb: $2" >&2; exit "$1"; }

while [ $# -gt 0 ]; do
    case "$1" in
        --binary) [ $# -ge 2 ] || die 2 "--binary needs a path"; binary=$2; shift 2 ;;
        --out) [ $# -ge 2 ] || die 2 "--out needs a directory"; out=$2; shift 2 ;;
        -h|--help) sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) die 2 "unknown argument '$1' (usage: build-deb.sh [--binary PATH] [--out DIR])" ;;
    esac
done

for tool in dpkg-deb dpkg-shlibdeps gzip strip; do
    command -v "$tool" >/dev/null 2>&1 || die 3 "needs $tool (apt-get install dpkg-dev)"
done
[ "$(dpkg --print-architecture)" = amd64 ] || die 2 "builds the amd64 package only; this machine is $(dpkg --print-architecture)"

if [ -z "$binary" ]; then
    command -v dotnet >/dev/null 2>&1 || die 3 "needs the .NET SDK to publish reapd (or give --binary PATH)"
    binary="$out/publish/reapd"
    echo "build-deb: dotnet publish src/Reapd -c Release -o $out/publish" >&2
    dotnet publish "$repo/src/Reapd/Reapd.csproj" -c Release -o "$out/publish" -nologo >&2 || die 1 "dotnet publish failed"
fi
[ -f "$binary" ] && [ -x "$binary" ] || die 2 "--binary $binary: no such executable file"
unit_source="$repo/docs/packaging/reapd.service"
[ -f "$unit_source" ] || die 2 "no unit file at $unit_source"

# One version for the package: the <Version> the project builds reapd with (Directory.Build.props), Debian revision 1.
upstream=$(dotnet msbuild "$repo/src/Reapd/Reapd.csproj" -getProperty:Version 2>/dev/null | tr -d '[:space:]') \
    || die 1 "cannot read the project's Version (dotnet msbuild -getProperty:Version)"
[[ "$upstream" =~ ^[0-9][0-9A-Za-z.+~]*$ ]] || die 1 "the project's Version '$upstream' is not a Debian upstream version"
version="$upstream-1"

# Dates inside the package come from the last commit, so two builds of one commit give the same files.
SOURCE_DATE_EPOCH=$(git -C "$repo" log -1 --format=%ct 2>/dev/null || date +%s)
export SOURCE_DATE_EPOCH

stage=$(mktemp -d "${TMPDIR:-/tmp}/reapd-deb-XXXXXX")
trap 'rm -rf "$stage"' EXIT
root="$stage/root"
doc="$root/usr/share/doc/reapd"
install -d "$root/DEBIAN" "$root/usr/sbin" "$root/usr/lib/systemd/system" "$root/etc/default" "$doc"

install -m 0755 "$binary" "$root/usr/sbin/reapd"
# The publish already strips symbols (StripSymbols); the linker's .comment section is left, which dh_strip would drop.
strip --remove-section=.comment "$root/usr/sbin/reapd" || die 1 "strip failed on $root/usr/sbin/reapd"
install -m 0644 "$here/default" "$root/etc/default/reapd"

# The unit as the repository has it now; only where it runs from changes: /usr/sbin/reapd, with the options of
# /etc/default/reapd ($REAPD_OPTIONS unbraced: systemd splits it into words, and drops it when empty), and where
# its documentation is once installed (docs are gzip-compressed below, as Debian policy asks).
grep -Eq '^ExecStart=-?/usr/local/bin/reapd( |$)' "$unit_source" \
    || die 1 "$unit_source: no ExecStart=/usr/local/bin/reapd line to point at /usr/sbin/reapd"
sed -E \
    -e 's|^ExecStart=(-?)/usr/local/bin/reapd( .*)?$|EnvironmentFile=-/etc/default/reapd\nExecStart=\1/usr/sbin/reapd\2 $REAPD_OPTIONS|' \
    -e 's|file:///usr/share/doc/reapd/([A-Za-z0-9_.-]+\.md)|file:///usr/share/doc/reapd/\1.gz|g' \
    "$unit_source" >"$root/usr/lib/systemd/system/reapd.service"
chmod 0644 "$root/usr/lib/systemd/system/reapd.service"

man_page="absent"
if [ -f "$repo/docs/reapd.8" ]; then
    install -d "$root/usr/share/man/man8"
    gzip -9n <"$repo/docs/reapd.8" >"$root/usr/share/man/man8/reapd.8.gz"
    chmod 0644 "$root/usr/share/man/man8/reapd.8.gz"
    man_page="docs/reapd.8"
fi

install -m 0644 "$here/copyright" "$doc/copyright"
install -d "$root/usr/share/lintian/overrides"
install -m 0644 "$here/lintian-overrides" "$root/usr/share/lintian/overrides/reapd"
for md in "$repo/README.md" "$repo"/docs/*.md; do
    gzip -9n <"$md" >"$doc/$(basename "$md").gz"
done
gzip -9n <"$repo/CHANGELOG.md" >"$doc/changelog.gz"
{
    printf 'reapd (%s) unstable; urgency=medium\n\n' "$version"
    printf '  * Built from the reapd repository at commit %s.\n\n' \
        "$(git -C "$repo" rev-parse --short HEAD 2>/dev/null || echo 'an unknown commit')"
    printf ' -- reapd maintainers <maintainers@users.noreply.r-seed-fdfe414e.example>  %s\n' \
        "$(date -u -R -d "@$SOURCE_DATE_EPOCH")"
} | gzip -9n >"$doc/changelog.Debian.gz"
chmod 0644 "$doc"/*

# Depends from what the binary really links (its NEEDED entries and symbol versions), as dpkg-shlibdeps computes
# it for any Debian package; it needs a debian/control to run in.
install -d "$stage/src/debian"
printf 'Source: reapd\n\nPackage: reapd\nArchitecture: amd64\n' >"$stage/src/debian/control"
depends=$(cd "$stage/src" && dpkg-shlibdeps -O -e"$root/usr/sbin/reapd" 2>/dev/null | sed -n 's/^shlibs:Depends=//p')
[ -n "$depends" ] || die 1 "dpkg-shlibdeps found no dependencies of $binary"

install -m 0755 "$here/postinst" "$here/prerm" "$here/postrm" "$root/DEBIAN/"
echo /etc/default/reapd >"$root/DEBIAN/conffiles"
(cd "$root" && find . -path ./DEBIAN -prune -o -type f -printf '%P\0' | LC_ALL=C sort -z | xargs -0 md5sum) >"$root/DEBIAN/md5sums"
installed_kib=$(du -sk --exclude=DEBIAN "$root" | cut -f1)
cat >"$root/DEBIAN/control" <<EOF
Package: reapd
Version: $version
Architecture: amd64
Maintainer: reapd maintainers <maintainers@users.noreply.r-seed-fdfe414e.example>
Installed-Size: $installed_kib
Depends: $depends
Section: admin
Priority: optional
Description: userspace OOM killer and memory reaper
 reapd watches memory (the whole machine, or one cgroup) and, before the
 machine starts thrashing, kills the right process through a pidfd, reaps
 its memory at once with process_mrelease, and picks no second victim while
 the first one's memory is still coming back.
 .
 The package runs reapd as a systemd service (reapd.service), enabled and
 started on installation; its options are in /etc/default/reapd.
EOF
chmod 0644 "$root/DEBIAN/control" "$root/DEBIAN/conffiles" "$root/DEBIAN/md5sums"

mkdir -p "$out"
deb="$out/reapd_${version}_amd64.deb"
dpkg-deb --root-owner-group -Zxz --build "$root" "$deb" >/dev/null || die 1 "dpkg-deb --build failed"
echo "build-deb: $(stat -c %s "$deb") bytes, installed $installed_kib KiB, Depends: $depends, man page: $man_page" >&2
echo "$deb"
