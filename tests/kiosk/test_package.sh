#!/bin/sh
# test_package.sh SRC - the two Debian packages installed on THIS machine,
# as a branch's IT person would: for CI (a throwaway machine) only, so it is
# registered only with -DFD_PACKAGE_TEST=ON (scripts/test.sh's plain suite),
# refuses to run where frontdesk is already installed, and purges what it
# installed whatever happens. Steps: scripts/package.sh builds version A;
# dpkg -i both, apt-get -f install; the users, folders and modes, the
# conffile, frontdesk-ctl status as frontdesk; the store is replaced by one
# at the schema before the newest (built from data/schema with sqlite3) and
# the conffile edited; version B built and installed over it: a backup was
# taken before (at the older schema), the store was migrated (its pre-migration copy at the older
# schema), the edited conffile kept; remove keeps the data, purge deletes it.
# Prints "N passed, N failed".
set -u
src=$1
dir=$(mktemp -d "${TMPDIR:-/tmp}/fdpkg-test.XXXXXX") || exit 2
chmod 755 "$dir"
passed=0; failed=0
check() { if [ "$1" = 0 ]; then passed=$((passed + 1)); else failed=$((failed + 1)); echo "test_package: FAILED: $2" >&2; fi; }
installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "ok installed"; }
cleanup() {
  dpkg -P frontdesk frontdesk-hq >/dev/null 2>&1
  rm -rf "$dir"
}
if [ "$(id -u)" != 0 ]; then echo "test_package: needs root (CI)"; echo "0 passed, 1 failed"; exit 1; fi
if installed frontdesk || installed frontdesk-hq || [ -e /var/lib/frontdesk ]; then
  echo "test_package: frontdesk is installed here already: not touching it"
  echo "0 passed, 1 failed"; exit 1
fi
trap cleanup EXIT
va=0.0.1~test1 vb=0.0.1~test2
arch=$(dpkg --print-architecture)
db=/var/lib/frontdesk/frontdesk.db
as_fd() { setpriv --reuid=frontdesk --regid=frontdesk --init-groups "$@"; }

bash "$src/scripts/package.sh" "$va" > "$dir/pkg-a.log" 2>&1
check $? "package.sh $va: $(tail -n 30 "$dir/pkg-a.log")"
ka=$src/dist/frontdesk_${va}_${arch}.deb qa=$src/dist/frontdesk-hq_${va}_${arch}.deb
[ -f "$ka" ] && [ -f "$qa" ]; check $? "no packages in dist/"
cp "$ka" "$qa" "$dir/"
grep -q "^E:" "$dir/pkg-a.log"; [ $? = 1 ]; check $? "lintian errors: $(grep '^E:' "$dir/pkg-a.log")"
dpkg-deb -f "$ka" Depends | grep -q "libsdl2"; check $? "frontdesk's Depends lack the libraries: $(dpkg-deb -f "$ka" Depends)"

dpkg -i "$dir/$(basename "$ka")" "$dir/$(basename "$qa")" > "$dir/dpkg-a.log" 2>&1 ||
  DEBIAN_FRONTEND=noninteractive apt-get -f install -y >> "$dir/dpkg-a.log" 2>&1
installed frontdesk && installed frontdesk-hq; check $? "not installed: $(tail -n 20 "$dir/dpkg-a.log")"
u=$(getent passwd frontdesk | cut -d: -f3)
[ -n "$u" ] && [ "$u" -lt 1000 ]; check $? "no system user frontdesk ($u)"
[ "$(stat -c '%a %U %G' /var/lib/frontdesk)" = "700 frontdesk frontdesk" ]
check $? "/var/lib/frontdesk is $(stat -c '%a %U %G' /var/lib/frontdesk 2>&1)"
[ "$(stat -c '%U' $db)" = frontdesk ]; check $? "the store is not frontdesk's"
[ "$(stat -c '%a %U' /var/lib/frontdesk-hq)" = "700 frontdesk-hq" ]
check $? "/var/lib/frontdesk-hq is $(stat -c '%a %U' /var/lib/frontdesk-hq 2>&1)"
dpkg-query -W -f='${Conffiles}' frontdesk | grep -q " /etc/frontdesk/frontdesk.conf "
check $? "frontdesk.conf is not a conffile"
as_fd frontdesk-ctl --db $db --json status > "$dir/status" 2>&1
check $? "frontdesk-ctl status as frontdesk: $(cat "$dir/status")"
for f in /lib/systemd/system/frontdesk.service /lib/systemd/system/frontdesk-backup.timer \
         /lib/systemd/system/frontdesk-hq.service /lib/udev/rules.d/60-frontdesk.rules \
         /usr/libexec/frontdesk/backup /usr/bin/frontdesk /usr/bin/frontdesk-hq; do
  [ -e "$f" ]; check $? "$f not installed"
done
frontdesk --db $db --window 1024x600 2>"$dir/root"; [ $? = 2 ]
check $? "the installed kiosk did not refuse root: $(cat "$dir/root")"
# The daily backup, as its unit runs it, twice: two copies, both kept.
as_fd env FRONTDESK_DB=$db /usr/libexec/frontdesk/backup 14 >/dev/null 2>&1 && sleep 1 &&
  as_fd env FRONTDESK_DB=$db /usr/libexec/frontdesk/backup 1 >/dev/null 2>&1
[ "$(ls /var/lib/frontdesk/backups | grep -c '^daily-')" = 1 ]
check $? "the backup did not keep just the newest 1: $(ls /var/lib/frontdesk/backups)"

# A store from the release before: the schema before the newest.
n=$(ls "$src"/data/schema/*.sql | wc -l)
old=$dir/old.db
for f in $(ls "$src"/data/schema/*.sql | head -n $((n - 1))); do sqlite3 "$old" < "$f"; done
sqlite3 "$old" "PRAGMA user_version = $((n - 1)); INSERT INTO meta(key, value) VALUES
  ('device_id', 'c0ffee00c0ffee00c0ffee00c0ffee00'), ('created_at', CAST(unixepoch() AS TEXT));"
rm -f $db $db-wal $db-shm
install -o frontdesk -g frontdesk -m 0600 "$old" $db
echo "# edited by the branch" >> /etc/frontdesk/frontdesk.conf

bash "$src/scripts/package.sh" "$vb" > "$dir/pkg-b.log" 2>&1
check $? "package.sh $vb: $(tail -n 30 "$dir/pkg-b.log")"
kb=$src/dist/frontdesk_${vb}_${arch}.deb
dpkg -i "$kb" > "$dir/dpkg-b.log" 2>&1; check $? "upgrade: $(tail -n 20 "$dir/dpkg-b.log")"
[ "$(dpkg-query -W -f='${Version}' frontdesk)" = "$vb" ]; check $? "not upgraded to $vb"
bk=$(ls /var/lib/frontdesk/backups/pre-upgrade-"$va"-*.db 2>/dev/null | head -n1)
[ -n "$bk" ] && [ "$(sqlite3 "$bk" "SELECT value FROM meta WHERE key = 'device_id'")" = c0ffee00c0ffee00c0ffee00c0ffee00 ]
check $? "no backup of the store before the upgrade: $(ls -l /var/lib/frontdesk/backups)"
[ -n "$bk" ] && [ "$(sqlite3 "$bk" 'PRAGMA user_version')" = "$((n - 1))" ]
check $? "the backup is not the store as it was before (schema $((n - 1)))"
[ "$(sqlite3 $db 'PRAGMA user_version')" = "$n" ]; check $? "the store was not migrated to $n"
[ "$(sqlite3 $db.pre-migration 'PRAGMA user_version' 2>/dev/null)" = "$((n - 1))" ]
check $? "no pre-migration copy at schema $((n - 1))"
[ "$(sqlite3 $db "SELECT value FROM meta WHERE key = 'device_id'")" = c0ffee00c0ffee00c0ffee00c0ffee00 ]
check $? "the migrated store is not the same store"
as_fd frontdesk-ctl --db $db status >/dev/null 2>&1; check $? "status after the upgrade"
grep -q "edited by the branch" /etc/frontdesk/frontdesk.conf; check $? "the edited conffile was replaced"
[ "$(stat -c '%a %U' /var/lib/frontdesk)" = "700 frontdesk" ]; check $? "modes after the upgrade"

dpkg -r frontdesk frontdesk-hq > "$dir/rm.log" 2>&1; check $? "remove: $(cat "$dir/rm.log")"
[ ! -e /usr/bin/frontdesk ] && [ -f $db ] && [ -f /etc/frontdesk/frontdesk.conf ]
check $? "remove did not keep the data and the configuration (or left the program)"
dpkg -P frontdesk frontdesk-hq > "$dir/purge.log" 2>&1; check $? "purge: $(cat "$dir/purge.log")"
[ ! -e /var/lib/frontdesk ] && [ ! -e /etc/frontdesk ] && [ ! -e /var/lib/frontdesk-hq ]
check $? "purge left data: $(ls -d /var/lib/frontdesk* /etc/frontdesk* 2>&1)"
rm -f "$ka" "$qa" "$kb" "$src/dist/frontdesk-hq_${vb}_${arch}.deb"
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
