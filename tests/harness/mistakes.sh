#!/usr/bin/env bash
# mistakes.sh - grades deliberately wrong copies of the solutions and proves
# that each mistake costs points in the exercise that made it, and only there.
#
#   tests/harness/mistakes.sh LIB_BUILD COUNTS_FILE [NAME...]
#
# Each tests/harness/fixtures/mistakes/NN_topic/NAME.patch is a diff against
# solutions/ whose first line reads "Exercise: n.m" (the exercise that makes
# the mistake). The patched copy is graded with `make grade SOLUTIONS=1`; the
# check passes when at least one test of n.m fails, every other exercise of
# the lesson keeps full marks, and no test crashed without a message.
# Prints "mistake PASS|FAIL <lesson>/<name> ..." per patch and writes
# "passed failed label" to COUNTS_FILE; exits 1 if any check failed.
set -u
LIB_BUILD=$1
COUNTS=$2
shift 2
H=$LIB_BUILD/harness
T=$H/mistakes
MX=tests/harness/fixtures/mistakes
mkdir -p "$T"
passed=0
failed=0
if ! command -v patch > /dev/null; then
    echo "mistake FAIL: the command patch is missing (make deps installs it)"
    echo "0 1 real mistakes graded (patch is missing)" > "$COUNTS"
    exit 1
fi

for patch in "$MX"/*/*.patch; do
    lesson=$(basename "$(dirname "$patch")")
    name=$(basename "$patch" .patch)
    if [ $# -gt 0 ] && ! printf '%s\n' "$@" | grep -qx "$name"; then continue; fi
    owner=$(sed -n '1s/^Exercise: \([0-9.]*\).*/\1/p' "$patch")
    what="$lesson/$name (exercise $owner)"
    dir=$T/$lesson-$name
    # One copy and one build folder per lesson: cp -p keeps the files' times,
    # so only the exercise files' objects (removed here) are built again.
    copy=$T/$lesson/solutions
    build=$T/$lesson/build
    rm -rf "$dir" "$copy" && mkdir -p "$dir" "$T/$lesson"
    cp -rp solutions "$copy"
    for f in solutions/"$lesson"/*.c; do
        f=$(basename "$f" .c)
        rm -f "$build/solutions/$lesson/$f.o" "$build/solutions/$lesson/tests/isolated_$f".*
    done
    if [ -z "$owner" ] || ! patch -s -p1 -d "$copy" < "$patch" > "$dir/patch.log" 2>&1; then
        echo "mistake FAIL $what: the patch does not apply to solutions/ (see $dir/patch.log)"
        failed=$((failed + 1)); continue
    fi
    make --no-print-directory LIB_BUILD="$LIB_BUILD" BUILD="$build" GRADE_DIR="$dir/grade" \
         SOLUTIONS_DIR="$copy" grade SOLUTIONS=1 LESSON="${lesson%%_*}" > "$dir/grade.log" 2>&1
    if ! "$H/jsoncheck" "$dir/grade/results.json" > "$dir/summary" 2> "$dir/jsonerr"; then
        echo "mistake FAIL $what: no valid results.json (see $dir/grade.log)"
        failed=$((failed + 1)); continue
    fi
    # "failed 0/5 visible 04_cgan: exercise 4.4: l04_step/..." -> 4.4
    blamed=$(grep '^failed' "$dir/summary" | sed 's/.*: exercise \([0-9.]*\): .*/\1/' | sort -u | tr '\n' ' ')
    silent=$(grep -c 'crashed after' "$dir/grade/results.json")
    if [ "$blamed" = "$owner " ] && [ "$silent" = 0 ]; then
        echo "mistake PASS $what: only $owner loses points"
        passed=$((passed + 1))
    else
        echo "mistake FAIL $what: exercises that lost points: ${blamed:-none}; crashes without a message: $silent (see $dir/summary)"
        failed=$((failed + 1))
    fi
done

echo "$passed $failed real mistakes graded (tests/harness/fixtures/mistakes)" > "$COUNTS"
echo "mistakes: $passed passed, $failed failed"
[ $failed = 0 ]
