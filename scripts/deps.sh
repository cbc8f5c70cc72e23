#!/usr/bin/env bash
# Installs the Debian packages the project needs (packaging/deps/*.txt) that
# are not installed yet. Needs root (or sudo) only when something is missing.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
mapfile -t want < <(cat "$here"/packaging/deps/*.txt | sed 's/#.*//' | tr -s ' \t' '\n' | grep -v '^$' | sort -u)
missing=()
for p in "${want[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
# Node.js and npm build the browser apps and run the browser tests: Debian's
# when the machine has none (a machine may already carry another Node.js
# package, whose npm would conflict with Debian's).
command -v npm >/dev/null 2>&1 || missing+=(nodejs npm)
if [ ${#missing[@]} -gt 0 ]; then
  echo "deps: installing ${missing[*]}"
  sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -q
  $sudo apt-get install -y -q --no-install-recommends "${missing[@]}"
fi
# Front-end and browser-test packages from npm, exactly as package-lock.json
# pins them (npm ci), in every folder that has a lock; again only when the
# lock changed since the last install.
while IFS= read -r lock; do
  dir=$(dirname "$lock")
  stamp="$dir/node_modules/.frontdesk-lock"
  if [ ! -f "$stamp" ] || ! cmp -s "$lock" "$stamp"; then
    echo "deps: npm ci in ${dir#"$here"/}"
    (cd "$dir" && npm ci --no-audit --no-fund --ignore-scripts --loglevel=error)
    cp "$lock" "$stamp"
  fi
done < <(find "$here" -name package-lock.json -not -path '*/node_modules/*' -not -path "$here/build*" | sort)
