#!/bin/bash
# check_unpaired.sh - proves that an unpaired set keeps its promises, before
# the fetch scripts put it in place:
#
#     datasets/check_unpaired.sh ROOT MANIFEST
#
# - trainA, trainB, testA and testB hold exactly the PNGs the manifest sends
#   there (split, name, domain, A file, B file, group; see unpaired_set.c);
# - every testA/x.png has its twin testB/x.png, and the other way round;
# - no emoji, and no group of near-twins (the manifest's last field: an
#   emoji and its skin tones, its man/woman/person forms), is in more than
#   one of trainA, trainB and test: the training never sees a pair, and the
#   test emoji are new to both generators.
# Prints one line of counts, or every broken promise and fails.
set -euo pipefail
ROOT=${1:?usage: check_unpaired.sh ROOT MANIFEST}
MANIFEST=${2:?usage: check_unpaired.sh ROOT MANIFEST}

for d in trainA trainB testA testB; do
  [ -d "$ROOT/$d" ] || { echo "check_unpaired: $ROOT/$d: missing folder" >&2; exit 1; }
done
# One line per file: folder <TAB> name (without .png).
(cd "$ROOT" && for d in trainA trainB testA testB; do
   find "$d" -maxdepth 1 -name '*.png' -printf "$d\t%f\n"; done) | sed 's/\.png$//' |
awk -F'\t' -v root="$ROOT" -v manifest="$MANIFEST" '
  FILENAME == manifest {
    if (NF < 6) { printf "%s:%d: expected 6 tab-separated fields, found %d\n", manifest, FNR, NF; bad++; next }
    where = $1 == "test" ? "test" : "train" $3
    if ($2 in expect) { printf "%s:%d: %s is listed twice\n", manifest, FNR, $2; bad++ }
    expect[$2] = where; group[$2] = $6; listed[where]++
    next
  }
  {
    folder = $1; name = $2; where = folder ~ /^test/ ? "test" : folder
    found[folder]++
    if (!(name in expect)) { printf "%s/%s/%s.png: not in the manifest\n", root, folder, name; bad++; next }
    if (expect[name] != where) { printf "%s/%s/%s.png: the manifest puts it in %s\n", root, folder, name, expect[name]; bad++ }
    if (folder == "testA") inA[name] = 1
    if (folder == "testB") inB[name] = 1
    g = group[name]
    if ((g in part) && part[g] != where) {
      printf "%s/%s/%s.png: its group %s is also in %s (%s)\n", root, folder, name, g, part[g], who[g]; bad++
    }
    part[g] = where; who[g] = name
  }
  END {
    for (n in inA) if (!(n in inB)) { printf "%s/testA/%s.png: no twin testB/%s.png\n", root, n, n; bad++ }
    for (n in inB) if (!(n in inA)) { printf "%s/testB/%s.png: no twin testA/%s.png\n", root, n, n; bad++ }
    split("trainA trainB testA testB", folders, " ")
    for (i = 1; i <= 4; i++) {
      f = folders[i]; want = listed[f ~ /^test/ ? "test" : f] + 0
      if (found[f] + 0 != want || want == 0) {
        printf "%s/%s: %d images, the manifest lists %d\n", root, f, found[f], want; bad++
      }
    }
    if (bad) { printf "check_unpaired: %s: %d problems\n", root, bad; exit 1 }
    printf "check_unpaired: %s: trainA %d, trainB %d, testA %d, testB %d; splits disjoint by emoji and group; every test image has its twin\n", root, found["trainA"], found["trainB"], found["testA"], found["testB"]
  }' "$MANIFEST" -
