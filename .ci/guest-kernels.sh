#!/usr/bin/env bash
# Fetches the kernels of the QEMU guest tests (docs/platforms.md) into a cache outside the repository:
# Debian's 6.1 LTS (bookworm) and 6.12 (bookworm-backports) kernel packages, downloaded with `apt-get download`
# and unpacked with `dpkg-deb -x`, never installed into this machine. Modules are decompressed and indexed with
# depmod, so that the guest's busybox insmod can load them in the order modules.dep gives.
# Usage: .ci/guest-kernels.sh [CACHE_DIR]   (default /var/cache/reapd-guests; reused when present)
set -euo pipefail
cache=${1:-${REAPD_GUEST_CACHE:-/var/cache/reapd-guests}}
mkdir -p "$cache"

if [ -f "$cache/.complete" ]; then
    echo "guest kernels: reusing $cache ($(tr '\n' ' ' < "$cache/.complete"))"
    exit 0
fi

# A private apt configuration with bookworm-backports beside bookworm: the host's own sources stay untouched.
apt_dir=$(mktemp -d)
trap 'rm -rf "$apt_dir"' EXIT
mkdir -p "$apt_dir/lists/partial" "$apt_dir/cache/archives/partial" "$apt_dir/sources" "$apt_dir/debs"
cat > "$apt_dir/sources/guests.sources" <<SOURCES
Types: deb
URIs: http://deb.debian.org/debian
Suites: bookworm bookworm-backports
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
URIs: http://deb.debian.org/debian-security
Suites: bookworm-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SOURCES
apt_opts=(-o "Dir::Etc::sourcelist=/dev/null" -o "Dir::Etc::sourceparts=$apt_dir/sources"
          -o "Dir::State::lists=$apt_dir/lists" -o "Dir::Cache=$apt_dir/cache" -o "APT::Sandbox::User=root")
apt-get "${apt_opts[@]}" update -qq

# The image package each metapackage points at: the newest 6.1 of bookworm(-security), the 6.12 of backports.
image_for() {
    apt-cache "${apt_opts[@]}" show "linux-image-amd64=$1" | sed -n 's/^Depends: \(linux-image-[^ ,]*\).*/\1/p' | head -1
}
versions=$(apt-cache "${apt_opts[@]}" madison linux-image-amd64 | awk '{print $3}')
v61=$(echo "$versions" | grep '^6\.1\.' | sort -V | tail -1)
v612=$(echo "$versions" | grep '^6\.12\.' | sort -V | tail -1)
[ -n "$v61" ] && [ -n "$v612" ] || { echo "guest kernels: no 6.1 or 6.12 linux-image-amd64 found" >&2; exit 1; }

done_list=()
for meta in "$v61" "$v612"; do
    pkg=$(image_for "$meta")
    release=${pkg#linux-image-}
    (cd "$apt_dir/debs" && apt-get "${apt_opts[@]}" download -qq "$pkg")
    rm -rf "${cache:?}/$release"
    mkdir -p "$cache/$release"
    dpkg-deb -x "$apt_dir"/debs/"$pkg"_*.deb "$cache/$release"
    find "$cache/$release/lib/modules" -name '*.ko.xz' -print0 | xargs -0 -r -n 200 xz -d
    find "$cache/$release/lib/modules" -name '*.ko.zst' -print0 | xargs -0 -r -n 200 zstd -q -d --rm
    depmod -b "$cache/$release" "$release"
    done_list+=("$release")
done
printf '%s\n' "${done_list[@]}" > "$cache/.complete"
echo "guest kernels: ${done_list[*]} in $cache"
