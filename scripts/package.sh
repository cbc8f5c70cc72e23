#!/usr/bin/env bash
# Builds the two Debian packages from this tree:
#   dist/frontdesk_<version>_<arch>.deb     the kiosk box: frontdesk, frontdesk-ctl,
#       frontdesk-counter (when the tree builds it), the systemd units (the
#       kiosk under cage with its watchdog, the daily backup timer), the udev
#       rule, /etc/frontdesk/frontdesk.conf (a conffile), maintainer scripts
#       (the frontdesk user, /var/lib/frontdesk 0700, backup before an upgrade,
#       migration after, purge deletes the data)
#   dist/frontdesk-hq_<version>_<arch>.deb  head office: frontdesk-hq and its
#       sandboxed unit
# A packager's build: Release, no test hooks, warnings not errors, in
# build/package. Library dependencies come from dpkg-shlibdeps; the packages
# are assembled with dpkg-deb (no debhelper: two binary packages of installed
# files need nothing more) and checked with lintian when it is there.
#   scripts/package.sh [VERSION]     (default: the version in CMakeLists.txt)
# FD_PKG_BUILD=DIR builds elsewhere.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
cd "$here"
version=${1:-$(sed -n 's/^project(frontdesk VERSION \([0-9.]*\).*/\1/p' CMakeLists.txt)}
[[ "$version" =~ ^[0-9][0-9A-Za-z.+~-]*$ ]] || { echo "package: bad version '$version'" >&2; exit 2; }
arch=$(dpkg --print-architecture)
build=${FD_PKG_BUILD:-build/package}
dist=$here/dist
# Debian's hardening flags (dpkg-buildflags: fortify, stack protector,
# relro and bindnow), as a Debian package build would pass them.
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Release -DCMAKE_INSTALL_PREFIX=/usr \
    -DCMAKE_C_FLAGS="$(dpkg-buildflags --get CFLAGS) $(dpkg-buildflags --get CPPFLAGS)" \
    -DCMAKE_CXX_FLAGS="$(dpkg-buildflags --get CXXFLAGS) $(dpkg-buildflags --get CPPFLAGS)" \
    -DCMAKE_EXE_LINKER_FLAGS="$(dpkg-buildflags --get LDFLAGS) -Wl,-z,now" \
    -DFD_TEST_HOOKS=OFF -DFD_WERROR=OFF -DFD_SANITIZE=OFF >/dev/null
bins=(frontdesk frontdesk-ctl)
if cmake --build "$build" --target help | grep -q '^\.\.\. frontdesk-counter$'; then
    bins+=(frontdesk-counter)
fi
cmake --build "$build" -j "$(nproc)" --target "${bins[@]}" frontdesk-hq frontdesk-sync \
    frontdesk-ctl-full
find_bin() { find "$build" -type f -name "$1" -perm -u+x -not -path '*/CMakeFiles/*' | head -n1; }

stage=$(mktemp -d "${TMPDIR:-/tmp}/fdpkg.XXXXXX")
trap 'rm -rf "$stage"' EXIT
mkdir -p "$dist"

# put SRC DEST MODE: one file into the package tree
put() { install -D -m "$3" "$1" "$2"; }
strip_bin() { strip --strip-unneeded --remove-section=.comment --remove-section=.note "$1"; }
doc() { # PKG ROOT: copyright and a changelog, as Debian wants them
    put packaging/debian/copyright "$2/usr/share/doc/$1/copyright" 0644
    printf '%s (%s) stable; urgency=medium\n\n  * Built from the frontdesk tree (scripts/package.sh).\n\n -- frontdesk <frontdesk@example.com>  %s\n' \
        "$1" "$version" "$(date -R -u -d @"${SOURCE_DATE_EPOCH:-$(git log -1 --format=%ct 2>/dev/null || date +%s)}")" |
        gzip -9n > "$2/usr/share/doc/$1/changelog.gz"
    chmod 0644 "$2/usr/share/doc/$1/changelog.gz"
}
shlibs() { # BINARY...: the Depends that dpkg-shlibdeps finds for them
    local d; d=$(mktemp -d "$stage/shl.XXXXXX")
    mkdir -p "$d/debian"
    printf 'Source: frontdesk\n\nPackage: frontdesk\nArchitecture: any\n' > "$d/debian/control"
    (cd "$d" && dpkg-shlibdeps -O -e"$@" 2>/dev/null) | sed -n 's/^shlibs:Depends=//p'
}
# control PKG ROOT DEPENDS SUMMARY DESCRIPTION
control() {
    local pkg=$1 root=$2 deps=$3 summary=$4 desc=$5
    mkdir -p "$root/DEBIAN"
    {
        echo "Package: $pkg"
        echo "Version: $version"
        echo "Architecture: $arch"
        echo "Maintainer: frontdesk <frontdesk@example.com>"
        echo "Installed-Size: $(du -sk --exclude=DEBIAN "$root" | cut -f1)"
        echo "Depends: $deps"
        echo "Section: misc"
        echo "Priority: optional"
        echo "Description: $summary"
        echo "$desc" | fold -s -w 72 | sed 's/ *$//; s/^/ /'
    } > "$root/DEBIAN/control"
    for s in preinst postinst prerm postrm; do
        [ -f "packaging/debian/$pkg.$s" ] && put "packaging/debian/$pkg.$s" "$root/DEBIAN/$s" 0755
    done
    (cd "$root" && find . -type f ! -path './DEBIAN/*' -printf '%P\0' | sort -z | xargs -0 md5sum) \
        > "$root/DEBIAN/md5sums"
    chmod 0644 "$root/DEBIAN/control" "$root/DEBIAN/md5sums"
    [ -f "$root/DEBIAN/conffiles" ] && chmod 0644 "$root/DEBIAN/conffiles"
    find "$root" -type d -exec chmod 0755 {} +
    local out="$dist/${pkg}_${version}_${arch}.deb"
    dpkg-deb --root-owner-group -Zxz --build "$root" "$out" >/dev/null
    echo "$out"
}

# ---- frontdesk: the kiosk box
k=$stage/frontdesk
for b in "${bins[@]}"; do
    src=$(find_bin "$b"); [ -n "$src" ] || { echo "package: $b not built" >&2; exit 1; }
    put "$src" "$k/usr/bin/$b" 0755
    strip_bin "$k/usr/bin/$b"
done
put packaging/backup.sh "$k/usr/libexec/frontdesk/backup" 0755
# the kiosk's sync client, loaded once enrolled (app/kiosk/kiosk_sync.c)
put "$build/app/kiosk/frontdesk-sync.so" "$k/usr/lib/frontdesk/frontdesk-sync.so" 0644
strip_bin "$k/usr/lib/frontdesk/frontdesk-sync.so"
# frontdesk-ctl's print, sync and sweep commands (app/ctl/CMakeLists.txt)
put "$(find_bin frontdesk-ctl-full)" "$k/usr/libexec/frontdesk/frontdesk-ctl-full" 0755
strip_bin "$k/usr/libexec/frontdesk/frontdesk-ctl-full"
for u in frontdesk.service frontdesk-backup.service frontdesk-backup.timer; do
    put "packaging/systemd/$u" "$k/lib/systemd/system/$u" 0644
done
put packaging/udev/60-frontdesk.rules "$k/lib/udev/rules.d/60-frontdesk.rules" 0644
put packaging/frontdesk.conf.example "$k/etc/frontdesk/frontdesk.conf" 0644
mkdir -p "$k/DEBIAN"; echo /etc/frontdesk/frontdesk.conf > "$k/DEBIAN/conffiles"
doc frontdesk "$k"
kdeps=$(shlibs "${bins[@]/#/$k/usr/bin/}" "$k/usr/lib/frontdesk/frontdesk-sync.so" \
              "$k/usr/libexec/frontdesk/frontdesk-ctl-full")
# ICU (host search by pinyin) is opened with dlopen at the first search
# (app/core/host_find.c), so dpkg-shlibdeps does not see it: named here, the
# major version the build's headers gave the soname.
icu="libicu$(pkg-config --modversion icu-uc | cut -d. -f1)"
control frontdesk "$k" "${kdeps:+$kdeps, }$icu, adduser, sqlite3, cage, xwayland, fonts-noto-cjk, espeak-ng-data" \
    "reception kiosk: queue tickets, visitors, complaints, ratings" \
    "The touch-screen kiosk of a branch's front desk: visitors take a queue ticket, register a visit, file a complaint and rate the service; a staff console; a lobby display with voice; receipts on a USB thermal printer. It runs full screen under cage as the system user frontdesk, restarted by systemd and watched by its watchdog, with a daily backup. frontdesk-ctl is the operators' command line."

# ---- frontdesk-hq: head office
q=$stage/frontdesk-hq
src=$(find_bin frontdesk-hq); [ -n "$src" ] || { echo "package: frontdesk-hq not built" >&2; exit 1; }
put "$src" "$q/usr/bin/frontdesk-hq" 0755
strip_bin "$q/usr/bin/frontdesk-hq"
put packaging/systemd/frontdesk-hq.service "$q/lib/systemd/system/frontdesk-hq.service" 0644
doc frontdesk-hq "$q"
qdeps=$(shlibs "$q/usr/bin/frontdesk-hq")
control frontdesk-hq "$q" "${qdeps:+$qdeps, }adduser" \
    "head-office server of the frontdesk reception kiosks" \
    "Receives every branch kiosk's records, continues the complaint workflow, pushes configuration and complaint status back and reports across branches. On SQLite at one site or on PostgreSQL at scale. Runs as the system user frontdesk-hq in a systemd sandbox."

if command -v lintian >/dev/null; then
    # Errors fail the build; warnings are printed.
    lintian --fail-on error --suppress-tags no-manual-page "$dist/frontdesk_${version}_${arch}.deb" \
        "$dist/frontdesk-hq_${version}_${arch}.deb"
fi
