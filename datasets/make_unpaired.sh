#!/bin/bash
# make_unpaired.sh - cuts one of lesson 06's unpaired sets out of lesson 05's
# aligned pairs in datasets/emoji/ (`make datasets` runs it; see
# datasets/README.md):
#
#     datasets/make_unpaired.sh google2twitter|sketch2colour build/tools/unpaired_set build/tools/domain_gap
#
#   google2twitter  datasets/google2twitter_unpaired/: A = Google, B = Twitter
#                   (the halves of emoji/google2twitter_pairs)
#   sketch2colour   datasets/sketch2colour_unpaired/: A = the sketch, B = the
#                   Google colour image (the halves of emoji/sketch2google)
#
# Lesson 05's manifest already deals its training emoji out to domain A or B:
# an A emoji gives trainA its left half, a B emoji trainB its right half, so
# no pair is seen. testA/testB are the halves of lesson 05's VALIDATION pairs,
# under the same names, so lesson 06's numbers sit next to lesson 05's
# Pix2Pix on the same images. Lesson 05's test emoji are in neither.
set -euo pipefail

SET=${1:?usage: make_unpaired.sh google2twitter|sketch2colour PATH/TO/unpaired_set PATH/TO/domain_gap}
SET_TOOL=${2:?usage: make_unpaired.sh SET PATH/TO/unpaired_set PATH/TO/domain_gap}
GAP_TOOL=${3:?usage: make_unpaired.sh SET PATH/TO/unpaired_set PATH/TO/domain_gap}
HERE=$(cd "$(dirname "$0")" && pwd)
EMOJI=$HERE/emoji

say() { echo "datasets: $*"; }
die() { echo "datasets: $*" >&2; exit 1; }

case $SET in
  google2twitter) PAIRS=google2twitter_pairs ;;
  sketch2colour) PAIRS=sketch2google ;;
  *) die "make_unpaired.sh: the set must be google2twitter or sketch2colour, got \"$SET\"" ;;
esac
for tool in "$SET_TOOL" "$GAP_TOOL"; do
  [ -x "$tool" ] || die "$tool is not built (make datasets builds it)"
done
[ -f "$EMOJI/.complete" ] || die "$EMOJI is not made yet (make datasets makes it first)"

OUT=$HERE/${SET}_unpaired
WORK=$(mktemp -d "$HERE/.unpaired-work.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
NEW=$WORK/$SET
mkdir -p "$NEW"

# Lesson 05's manifest: split, name, image file, domain, group.
awk -F'\t' -v OFS='\t' '
  $1 == "train" { print "train", $2, $4, "train/" $2 ".png:left", "train/" $2 ".png:right", $5 }
  $1 == "val"   { print "test", $2, "-", "val/" $2 ".png:left", "val/" $2 ".png:right", $5 }
' "$EMOJI/manifest.tsv" > "$NEW/manifest.tsv"
say "$SET: cutting the halves of emoji/$PAIRS"
# Their messages name the set, not the temporary folder it is made in.
"$SET_TOOL" "$NEW/manifest.tsv" "$EMOJI/$PAIRS" "$EMOJI/$PAIRS" "$NEW" | sed "s|$WORK/||" \
  | tee "$NEW/counts.txt"
"$HERE/check_unpaired.sh" "$NEW" "$NEW/manifest.tsv" | sed "s|$WORK/||" | tee -a "$NEW/counts.txt"
"$GAP_TOOL" "$NEW" | sed "s|$WORK/||" > "$NEW/domain_gap.txt"
cp -r "$EMOJI/LICENSES" "$EMOJI/VERSIONS" "$NEW/"

rm -rf "$OUT"
mv "$NEW" "$OUT"
touch "$OUT/.complete"
say "done: $OUT"
