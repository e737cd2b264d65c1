#!/bin/bash
# check_sync.sh [ROOT] - every exercise file of solutions/NN_topic/ equals
# lessons/NN_topic/'s file of the same name outside the exercise markers
#     /* BEGIN EXERCISE n.k */ ... /* END EXERCISE n.k */
# (the same exercises in the same order, the same code around them). Only what
# the student writes may differ. A solutions/ program of its own
# (cmd_<name>.c with no lessons/ counterpart) is skipped. Prints the first
# differences of each file that differs; exit status 1 if any does.
set -u
root=${1:-.}
cd "$root" || exit 2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# The file with each exercise's body replaced by one line naming it; an
# unbalanced or mismatched marker is reported in the output itself.
outside() {
    awk '
    match($0, /\/\* BEGIN EXERCISE [0-9]+\.[0-9]+ \*\//) {
        if (open != "") print "!! BEGIN EXERCISE inside exercise " open " at line " FNR
        id = substr($0, RSTART + 18, RLENGTH - 21); open = id
        print substr($0, 1, RSTART + RLENGTH - 1); print "   ... the exercise " id " ..."
        next }
    match($0, /\/\* END EXERCISE [0-9]+\.[0-9]+ \*\//) {
        id = substr($0, RSTART + 16, RLENGTH - 19)
        if (id != open) print "!! END EXERCISE " id " closes \"" open "\" at line " FNR
        open = ""; print substr($0, RSTART); next }
    open == "" { print }
    END { if (open != "") print "!! exercise " open " has no END EXERCISE marker" }' "$1"
}

bad=0; n=0
for s in solutions/*/*.c solutions/*/*.h; do
    [ -e "$s" ] || continue
    l=lessons/${s#solutions/}
    if [ ! -e "$l" ]; then
        case "$(basename "$s")" in cmd_*.c) continue ;; esac
        echo "check_sync: $s has no lesson counterpart $l"
        bad=$((bad + 1)); continue
    fi
    n=$((n + 1))
    outside "$l" > "$work/lesson"; outside "$s" > "$work/solution"
    if grep -q '^!!' "$work/lesson" "$work/solution" || ! cmp -s "$work/lesson" "$work/solution"; then
        echo "check_sync: $l differs from $s outside the exercise markers (< lesson, > solution):"
        diff "$work/lesson" "$work/solution" | head -20
        grep -H '^!!' "$work/lesson" "$work/solution" | sed "s|$work/lesson|$l|; s|$work/solution|$s|"
        bad=$((bad + 1))
    fi
done
if [ $bad -gt 0 ]; then
    echo "check_sync: $bad of the exercise files differ between lessons/ and solutions/ outside the markers"
    exit 1
fi
echo "check_sync: $n exercise files equal their solutions outside the exercise markers"
