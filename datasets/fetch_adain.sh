#!/bin/bash
# fetch_adain.sh - makes lesson 07's content and style images in datasets/adain/
# (`make datasets` runs it; see datasets/README.md).
#
#     datasets/fetch_adain.sh build/tools/adain_images build/tools/rcc_extract build/tools/jigsaw
#
# 1. downloads five Debian packages with `apt-get download` (no root needed,
#    nothing is installed; about 220 MB) into a scratch folder, or takes them
#    from datasets/downloads/debs/ when that folder exists (create it to keep
#    them for rebuilds without the network);
# 2. unpacks only the files adain_manifest.tsv names (and each package's
#    copyright file); GCompris's pictures come out of its Qt resource bundles
#    (rcc_extract) as WebP and are decoded with dwebp (Debian `webp`,
#    installed through tools/install_packages.sh), and the paintings it has
#    only as jigsaw pieces are put together (jigsaw);
# 3. scales every image so its short side is 256 px (adain_images) into
#    adain/{content,style}/{train,test}/ as the manifest splits them;
# 4. records versions and licences, and swaps the result into place in one
#    move, so an interrupted run leaves no half-made data set behind.
set -euo pipefail

USAGE="usage: fetch_adain.sh PATH/TO/adain_images PATH/TO/rcc_extract PATH/TO/jigsaw"
IMAGES_TOOL=${1:?$USAGE}
RCC_TOOL=${2:?$USAGE}
JIGSAW_TOOL=${3:?$USAGE}
HERE=$(cd "$(dirname "$0")" && pwd)
MANIFEST=$HERE/adain_manifest.tsv
OUT=$HERE/adain
KEPT_DEBS=$HERE/downloads/debs
PACKAGES=(plasma-workspace-wallpapers mate-backgrounds gcompris-qt-data gimp-data python3-skimage)

say() { echo "datasets: $*"; }
die() { echo "datasets: $*" >&2; exit 1; }

for tool in "$IMAGES_TOOL" "$RCC_TOOL" "$JIGSAW_TOOL"; do
  [ -x "$tool" ] || die "$tool is not built (make datasets builds it)"
done
sh "$HERE/../tools/install_packages.sh" datasets "dwebp, to decode GCompris's WebP pictures" webp
command -v apt-get >/dev/null && command -v dpkg-deb >/dev/null \
  || die "apt-get and dpkg-deb are missing: the images come from Debian packages (Debian or Ubuntu only)"

WORK=$(mktemp -d "$HERE/.adain-work.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
DEBS=$WORK/debs
[ -d "$KEPT_DEBS" ] && DEBS=$KEPT_DEBS
mkdir -p "$DEBS"

# The .deb of package $1 in $DEBS, downloading it when there is none.
deb_of() {
  local deb
  deb=$(ls "$DEBS/$1"_*.deb 2>/dev/null | head -n 1)
  if [ -z "$deb" ]; then
    if ! (cd "$DEBS" && apt-get download -q "$1" > "$WORK/apt.log" 2>&1); then
      # An empty or stale package list is the usual cause.
      if [ "$(id -u)" = 0 ]; then
        say "apt-get download $1 failed; running apt-get update once" >&2
        apt-get update -qq && (cd "$DEBS" && apt-get download -q "$1" > "$WORK/apt.log" 2>&1) \
          || die "apt-get download $1 failed: $(tail -n 1 "$WORK/apt.log")"
      else
        die "apt-get download $1 failed ($(tail -n 1 "$WORK/apt.log")); run: sudo apt-get update"
      fi
    fi
    deb=$(ls "$DEBS/$1"_*.deb | head -n 1)
  fi
  echo "$deb"
}

NEW=$WORK/adain
mkdir -p "$NEW"/{content,style}/{train,test} "$NEW/LICENSES"
grep -v '^#' "$MANIFEST" > "$WORK/manifest"
start=$(date +%s)
for pkg in "${PACKAGES[@]}"; do
  say "$pkg: downloading (or reusing) the package"
  deb=$(deb_of "$pkg")
  src=$WORK/$pkg
  mkdir -p "$src"
  # Only the files the manifest names: GCompris's are inside resource bundles.
  if [ "$pkg" = gcompris-qt-data ]; then
    awk -F'\t' -v p="$pkg" '{ split($3, s, ":") } s[1] == p { print "./usr/share/gcompris-qt/rcc/" s[2] }' \
      "$WORK/manifest" | sort -u > "$WORK/members"
  else
    awk -F'\t' -v p="$pkg" '{ split($3, s, ":") } s[1] == p { print "./" s[2] }' "$WORK/manifest" > "$WORK/members"
  fi
  echo "./usr/share/doc/$pkg/copyright" >> "$WORK/members"
  dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$src" -T "$WORK/members" \
    || die "$deb: does not hold every file adain_manifest.tsv names (a new package version?)"
  cp "$src/usr/share/doc/$pkg/copyright" "$NEW/LICENSES/$pkg-copyright"
  echo "$pkg $(dpkg-deb -f "$deb" Version) sha256:$(sha256sum "$deb" | cut -d' ' -f1)" >> "$NEW/VERSIONS"
done
say "downloads and unpacking: $(( $(date +%s) - start )) s"

say "gcompris-qt-data: taking the pictures out of the resource bundles"
for bundle in $(awk -F'\t' '{ split($3, s, ":") } s[1] == "gcompris-qt-data" { print s[2] }' "$WORK/manifest" | sort -u); do
  dir=$WORK/gcompris-qt-data/${bundle%.rcc}
  mkdir -p "$dir"
  names=$(awk -F'\t' -v b="$bundle" '{ split($3, s, ":") } s[2] == b { print s[3] }' "$WORK/manifest")
  pieces=""   # a jigsaw board needs every piece of the bundle
  case "$names" in *.qml*) pieces=.webp ;; esac
  # shellcheck disable=SC2086  # one suffix per name
  "$RCC_TOOL" "$WORK/gcompris-qt-data/usr/share/gcompris-qt/rcc/$bundle" "$dir" README $pieces $names
  cp "$dir/README" "$NEW/LICENSES/gcompris-qt-data-${bundle%.rcc}-README"
  if [ -n "$pieces" ]; then
    for piece in "$dir"/*.webp; do
      dwebp -quiet -pam "$piece" -o "${piece%.webp}.pam" || die "$piece: dwebp could not decode it"
    done
  fi
  for name in $names; do
    case "$name" in
      *.qml) "$JIGSAW_TOOL" "$dir/$name" "$dir" "$dir/${name%.qml}.png" > /dev/null ;;
      *) dwebp -quiet "$dir/$name" -o "$dir/${name%.webp}.png" || die "$dir/$name: dwebp could not decode it" ;;
    esac
  done
done

# SOURCE<TAB>DESTINATION for adain_images, from the manifest's columns.
awk -F'\t' -v work="$WORK" -v new="$NEW" '{
    n = split($3, s, ":")
    if (n == 3) { sub(/\.(webp|qml)$/, ".png", s[3]); src = work "/" s[1] "/" substr(s[2], 1, length(s[2]) - 4) "/" s[3] }
    else src = work "/" s[1] "/" s[2]
    print src "\t" new "/" $1 "/" $2 "/" $4
  }' "$WORK/manifest" > "$WORK/list"
say "scaling $(wc -l < "$WORK/list") images to a short side of 256 px"
"$IMAGES_TOOL" "$WORK/list"

for s in content style; do
  for p in train test; do echo "$s/$p $(ls "$NEW/$s/$p" | wc -l)"; done
done | tee "$NEW/counts.txt"
cp "$MANIFEST" "$NEW/manifest.tsv"
cp "$HERE/LICENSES.md" "$NEW/LICENSES/LICENSES.md"

rm -rf "$OUT"
mv "$NEW" "$OUT"
touch "$OUT/.complete"
say "done: $OUT ($(du -sh "$OUT" | cut -f1))"
