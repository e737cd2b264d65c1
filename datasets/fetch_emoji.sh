#!/bin/bash
# fetch_emoji.sh - makes the course's emoji data sets in datasets/emoji/
# (`make datasets` runs it; see datasets/README.md).
#
#     datasets/fetch_emoji.sh build/tools/emoji_pairs
#
# 1. downloads two npm packages at pinned versions with `npm pack` into
#    datasets/downloads/ (kept, so a rebuild needs no network), and checks
#    their SHA-256 (npm_fetch.sh);
# 2. unpacks their 64x64 PNGs and emoji.json;
# 3. writes the manifest (which emoji go to train, val, test) with
#    emoji_manifest.js, then the pairs with the C tool emoji_pairs;
# 4. records versions and licences, and swaps the result into place in one
#    move, so an interrupted run leaves no half-made data set behind.
set -euo pipefail

PAIRS_TOOL=${1:?usage: fetch_emoji.sh PATH/TO/emoji_pairs}
HERE=$(cd "$(dirname "$0")" && pwd)
DOWNLOADS=$HERE/downloads
OUT=$HERE/emoji

# name version sha256 (of the npm tarball) licence of the images
PACKAGES=(
  "emoji-datasource-google 16.0.0 fb5fd131b362aab7a55542d2a147a79708cce0a8b1c1bbacd470172708b5c438 Apache-2.0"
  "emoji-datasource-twitter 16.0.0 f64a530c63bca463bd8317fdc4615ce63a53a0c65018e4ce2d848aaba7a28877 CC-BY-4.0"
)

say() { echo "datasets: $*"; }
die() { echo "datasets: $*" >&2; exit 1; }

[ -x "$PAIRS_TOOL" ] || die "$PAIRS_TOOL is not built (make datasets builds it)"
pins=()
for entry in "${PACKAGES[@]}"; do pins+=("${entry% *}"); done
"$HERE/npm_fetch.sh" "$DOWNLOADS" "${pins[@]}"

WORK=$(mktemp -d "$HERE/.emoji-work.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
NEW=$WORK/emoji
for entry in "${PACKAGES[@]}"; do
  read -r name version sha licence <<<"$entry"
  set=${name#emoji-datasource-}
  mkdir -p "$WORK/$set"
  tar -xzf "$DOWNLOADS/$name-$version.tgz" -C "$WORK/$set" \
    package/emoji.json package/LICENSE package/README.md "package/img/$set/64" \
    || die "$name: unexpected contents (expected package/img/$set/64/)"
done
for d in sketch2google sketch2twitter google2twitter_pairs; do mkdir -p "$NEW/$d"/{train,val,test}; done
mkdir -p "$NEW/LICENSES"

say "choosing the split from emoji.json"
node "$HERE/emoji_manifest.js" "$WORK/google/package/emoji.json" \
  "$WORK/twitter/package/emoji.json" > "$NEW/manifest.tsv"
say "drawing sketches and writing pairs ($(wc -l < "$NEW/manifest.tsv") emoji images)"
"$PAIRS_TOOL" "$NEW/manifest.tsv" "$WORK/google/package/img/google/64" \
  "$WORK/twitter/package/img/twitter/64" "$NEW" | tee "$NEW/counts.txt"

# What the data is and under which terms, next to the data.
for entry in "${PACKAGES[@]}"; do
  read -r name version sha licence <<<"$entry"
  set=${name#emoji-datasource-}
  cp "$WORK/$set/package/LICENSE" "$NEW/LICENSES/$name-package-LICENSE"
  grep -i -E "^\* .*(images|licen)" "$WORK/$set/package/README.md" \
    > "$NEW/LICENSES/$name-README-image-licences.txt" || true
  echo "$name $version sha256:$sha images:$licence" >> "$NEW/VERSIONS"
done
cp "$HERE/LICENSES.md" "$NEW/LICENSES/LICENSES.md"

rm -rf "$OUT"
mv "$NEW" "$OUT"
touch "$OUT/.complete"
say "done: $OUT"
