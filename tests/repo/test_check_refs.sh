#!/bin/bash
# test_check_refs.sh - check_refs.sh must flag a mention of WORKLOADS.md with
# no such file beside it or at the root, and a Markdown link to a missing
# file; it must accept both when they resolve (from the root or from the
# mentioning file's folder, with an #anchor). Runs on a small git repository
# in a temporary folder.
. "$(dirname "$0")/lib.sh"
git -C "$work" init -q
mkdir -p "$work/bench" "$work/lessons/01_x"
echo "W1" > "$work/bench/WORKLOADS.md"
printf 'the workloads: bench/WORKLOADS.md\n' > "$work/lessons/01_x/main.c"
printf 'see [W1](../../bench/WORKLOADS.md#w1) and [top](../../README.md)\n' > "$work/lessons/01_x/README.md"
printf 'WORKLOADS.md, beside this file\n' > "$work/bench/README.md"
echo "top" > "$work/README.md"
git -C "$work" add -A

if ! out=$("$check" "$work" 2>&1); then
    echo "test_check_refs FAIL: references that resolve were flagged:"; echo "$out"; fail=1
fi
printf 'see WORKLOADS.md\n' > "$work/lessons/01_x/notes.c"
printf '[gone](missing.md)\n' >> "$work/lessons/01_x/README.md"
git -C "$work" add -A
out=$("$check" "$work" 2>&1); st=$?
for want in "lessons/01_x/notes.c:1: WORKLOADS.md: no such file" "lessons/01_x/README.md:2: missing.md: no such file"; do
    if [ $st -eq 0 ] || ! grep -qF -- "$want" <<< "$out"; then
        echo "test_check_refs FAIL: expected '$want', found:"; echo "$out"; fail=1
    fi
done
[ $fail = 0 ] && echo "test_check_refs: a mention or link to a missing file is flagged; those that resolve are not"
exit $fail
