#!/bin/bash
# run.sh COUNTS - the repository's own checks (make test-repo): every
# tests/repo/check_*.sh on this tree and every tests/repo/test_*.sh (the
# checks' tests). Writes "passed failed description" to COUNTS.
set -u
counts=${1:?usage: tests/repo/run.sh COUNTS}
here=$(dirname "$0")
p=0; f=0
for t in "$here"/check_*.sh "$here"/test_*.sh; do
    [ -e "$t" ] || continue
    if "$t"; then p=$((p + 1)); else f=$((f + 1)); echo "repo FAIL $(basename "$t")"; fi
done
echo "$p $f repository checks (tests/repo)" > "$counts"
exit $((f > 0))
