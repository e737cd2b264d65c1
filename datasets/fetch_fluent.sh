#!/bin/bash
# fetch_fluent.sh - makes datasets/fluent/, lesson 06's default data: Microsoft's
# Fluent emoji, flat (domain A) and 3-D (domain B), the same designs rendered
# two ways, in the unaligned layout (`make datasets` runs it; see
# datasets/README.md).
#
#     datasets/fetch_fluent.sh build/tools/unpaired_set build/tools/domain_gap
#
# 1. downloads three npm packages at pinned versions (npm_fetch.sh): the flat
#    SVGs, the 3-D WebPs, and emoji-datasource-google for its emoji.json
#    (names and categories; lesson 05 downloads it too);
# 2. fluent_manifest.js pairs the flat names with the 3-D code points and
#    splits the emoji (manifest.tsv; matching.txt says what was left out);
# 3. rasterises each needed SVG with rsvg-convert and decodes each needed
#    WebP with dwebp, both at 256x256 RGBA; unpaired_set composites them onto
#    white, shrinks them to 64x64 with the same box filter and writes them;
# 4. check_unpaired.sh proves the splits; domain_gap measures shape against
#    rendering on the test pairs (domain_gap.txt);
# 5. records versions and licences, and swaps the result into place in one
#    move, so an interrupted run leaves no half-made data set behind.
set -euo pipefail

SET_TOOL=${1:?usage: fetch_fluent.sh PATH/TO/unpaired_set PATH/TO/domain_gap}
GAP_TOOL=${2:?usage: fetch_fluent.sh PATH/TO/unpaired_set PATH/TO/domain_gap}
HERE=$(cd "$(dirname "$0")" && pwd)
DOWNLOADS=$HERE/downloads
OUT=$HERE/fluent
EMOJI_TEST=/usr/share/unicode/emoji/emoji-test.txt   # Debian's unicode-data: CLDR names

# name version sha256 (of the npm tarball) licence of what we use
PACKAGES=(
  "fluentui-emoji 1.3.0 ec892e607e854859b812c7d827801756adc19955b0ef56d4ae8afcddd19492c5 MIT"
  "@lobehub/fluent-emoji-3d 1.1.0 c1bb7eee7de090205a232518a9ab4adb3df458bfbe8a1f78232991194c8b2e58 MIT"
  "emoji-datasource-google 16.0.0 fb5fd131b362aab7a55542d2a147a79708cce0a8b1c1bbacd470172708b5c438 MIT"
)
SIZE=256   # both renderings are made at 256x256 and shrunk 4x4 -> 1 by unpaired_set

say() { echo "datasets: $*"; }
die() { echo "datasets: $*" >&2; exit 1; }

for tool in "$SET_TOOL" "$GAP_TOOL"; do
  [ -x "$tool" ] || die "$tool is not built (make datasets builds it)"
done
for cmd in rsvg-convert:librsvg2-bin dwebp:webp; do
  command -v "${cmd%:*}" >/dev/null \
    || die "${cmd%:*} is missing; install it with:  sudo apt-get install -y ${cmd#*:}"
done
[ -f "$EMOJI_TEST" ] || die "$EMOJI_TEST is missing; install it with:  sudo apt-get install -y unicode-data"
pins=()
for entry in "${PACKAGES[@]}"; do pins+=("${entry% *}"); done
"$HERE/npm_fetch.sh" "$DOWNLOADS" "${pins[@]}"

WORK=$(mktemp -d "$HERE/.fluent-work.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
NEW=$WORK/fluent
mkdir -p "$WORK"/{flat,3d,datasource,A,B} "$NEW/LICENSES"
tar -xzf "$DOWNLOADS/fluentui-emoji-1.3.0.tgz" -C "$WORK/flat" \
  package/icons/flat package/LICENSE package/README.md package/package.json \
  || die "fluentui-emoji: unexpected contents (expected package/icons/flat/)"
tar -xzf "$DOWNLOADS/lobehub-fluent-emoji-3d-1.1.0.tgz" -C "$WORK/3d" \
  package/assets package/README.md package/package.json \
  || die "@lobehub/fluent-emoji-3d: unexpected contents (expected package/assets/)"
tar -xzf "$DOWNLOADS/emoji-datasource-google-16.0.0.tgz" -C "$WORK/datasource" package/emoji.json \
  || die "emoji-datasource-google: unexpected contents (expected package/emoji.json)"
FLAT=$WORK/flat/package/icons/flat
D3=$WORK/3d/package/assets

say "matching flat names to 3-D code points and choosing the split"
node "$HERE/fluent_manifest.js" "$FLAT" "$D3" "$WORK/datasource/package/emoji.json" \
  "$EMOJI_TEST" "$NEW/matching.txt" > "$NEW/manifest.tsv"
sed -n 1,3p "$NEW/matching.txt" | sed 's/^/datasets: /'

# A training emoji needs only its own domain's image, a test emoji both. A
# tool that fails stops xargs (exit 255) and so the script.
say "rasterising the flat SVGs (rsvg-convert) and decoding the 3-D WebPs (dwebp)"
awk -F'\t' '$1 == "test" || $3 == "A" { print $4 "\t" $2 }' "$NEW/manifest.tsv" |
  while IFS=$'\t' read -r file name; do printf '%s\0%s\0' "$FLAT/$file" "$WORK/A/$name.png"; done |
  xargs -0 -n 2 -P 2 sh -c 'rsvg-convert -w '$SIZE' -h '$SIZE' "$0" -o "$1" ||
    { echo "datasets: rsvg-convert could not rasterise $0" >&2; exit 255; }'
awk -F'\t' '$1 == "test" || $3 == "B" { print $5 "\t" $2 }' "$NEW/manifest.tsv" |
  while IFS=$'\t' read -r file name; do printf '%s\0%s\0' "$D3/$file" "$WORK/B/$name.png"; done |
  xargs -0 -n 2 -P 2 sh -c 'dwebp -quiet "$0" -o "$1" ||
    { echo "datasets: dwebp could not decode $0" >&2; exit 255; }'

# unpaired_set reads the PNGs just made, named after the emoji.
awk -F'\t' -v OFS='\t' '{ print $1, $2, $3, $2 ".png", $2 ".png", $6 }' "$NEW/manifest.tsv" \
  > "$WORK/sources.tsv"
# Their messages name the set, not the temporary folder it is made in.
"$SET_TOOL" "$WORK/sources.tsv" "$WORK/A" "$WORK/B" "$NEW" | sed "s|$WORK/||" | tee "$NEW/counts.txt"
"$HERE/check_unpaired.sh" "$NEW" "$NEW/manifest.tsv" | sed "s|$WORK/||" | tee -a "$NEW/counts.txt"
"$GAP_TOOL" "$NEW" | sed "s|$WORK/||" > "$NEW/domain_gap.txt"

# What the data is and under which terms, next to the data.
# The 3-D package has no LICENSE file: its licence is in package.json and README.md.
cp "$WORK/flat/package/LICENSE" "$NEW/LICENSES/fluentui-emoji-package-LICENSE"
grep -E '"(name|version|license|author)"' "$WORK/flat/package/package.json" \
  > "$NEW/LICENSES/fluentui-emoji-package.json-licence.txt" || true
grep -E '"(name|version|license|author)"' "$WORK/3d/package/package.json" \
  > "$NEW/LICENSES/fluent-emoji-3d-package.json-licence.txt" || true
grep -i -A3 "^#.*licen" "$WORK/3d/package/README.md" \
  > "$NEW/LICENSES/fluent-emoji-3d-README-licence.txt" || true
for entry in "${PACKAGES[@]}"; do
  read -r name version sha licence <<<"$entry"
  echo "$name $version sha256:$sha licence:$licence" >> "$NEW/VERSIONS"
done
echo "unicode-data $(dpkg-query -W -f='${Version}' unicode-data 2>/dev/null || echo '?') (Debian): emoji-test.txt, CLDR names only" >> "$NEW/VERSIONS"
cp "$HERE/LICENSES.md" "$NEW/LICENSES/LICENSES.md"

rm -rf "$OUT"
mv "$NEW" "$OUT"
touch "$OUT/.complete"
say "done: $OUT"
