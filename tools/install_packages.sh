#!/bin/sh
# install_packages.sh WHO WHY PACKAGE... - makes sure Debian packages are installed.
# Run as root it installs the missing ones with apt-get; otherwise it prints
# the exact command to run and fails, so that make stops with that message.
# WHO prefixes every message (the make target); WHY says what they are for.
who=$1 why=$2
shift 2
missing=""
for p in "$@"; do
    dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed' \
        || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" = 0 ]; then
    echo "$who: installing$missing ($why)"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing \
        || { echo "$who: apt-get failed; run: apt-get install -y$missing" >&2; exit 1; }
else
    echo "$who: missing Debian packages ($why):$missing" >&2
    echo "$who: install them with:  sudo apt-get install -y$missing" >&2
    exit 1
fi
