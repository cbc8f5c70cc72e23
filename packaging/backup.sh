#!/bin/sh
# /usr/libexec/frontdesk/backup [KEEP] - the daily backup (run by
# frontdesk-backup.service as the user frontdesk): frontdesk-ctl backup
# writes a checked copy of the store into /var/lib/frontdesk/backups (a
# damaged store never replaces a good backup), then all but the newest KEEP
# (14) daily copies are removed, and all but the newest 3 copies taken
# before upgrades (packaging/debian/frontdesk.preinst): nothing grows for ever.
set -eu
keep=${1:-14}
dir=/var/lib/frontdesk/backups
db=${FRONTDESK_DB:-/var/lib/frontdesk/frontdesk.db}
mkdir -p "$dir"
/usr/bin/frontdesk-ctl --db "$db" backup "$dir/daily-$(date -u +%Y%m%dT%H%M%SZ).db"
ls -1 "$dir" | grep '^daily-.*\.db$' | sort -r | tail -n +"$((keep + 1))" |
    while read -r old; do rm -f "$dir/$old"; done
ls -1t "$dir" | grep '^pre-upgrade-.*\.db$' | tail -n +4 |
    while read -r old; do rm -f "$dir/$old"; done
