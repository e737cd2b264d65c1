#!/bin/sh
# resume_check.sh - lesson 06's program stopped by SIGINT and resumed gives the
# uninterrupted run, byte for byte: loss.csv, test.csv and the final
# checkpoint (four networks, four Adam states, both image pools, the RNG).
# Small networks and a pool of 4, so that the pools are full when the signal
# lands and the resume must replay a full pool's draws.
#
#   tests/06_cyclegan/resume_check.sh build/solutions/06_cyclegan/lesson WORKDIR [COUNTS]
# Exit 0 when all three files match; COUNTS (make test-resume-06) gets
# "passed failed label" for make test's tally. About 20 s to a minute.
set -u
BIN=${1:?usage: resume_check.sh LESSON_BINARY WORKDIR}
T=${2:?usage: resume_check.sh LESSON_BINARY WORKDIR}
COUNTS=${3:-/dev/null}
passed=0
failed=0
finish() { echo "$passed $failed lesson 06 resumed after SIGINT: the same run, pools included" > "$COUNTS"; exit $((failed > 0)); }
fail() { echo "resume_check FAIL: $1"; failed=$((failed + 1)); finish; }
ARGS="--threads 1 --ngf 4 --blocks 1 --ndf 4 --pool 4 --sample-every 50 --test-count 4 --strip-count 1 --steps 400"
rm -rf "$T/full" "$T/stopped" && mkdir -p "$T"
# shellcheck disable=SC2086
"$BIN" $ARGS --out "$T/full" > "$T/full.log" 2>&1 || fail "the uninterrupted run failed ($T/full.log)"
# SIGINT as soon as the first checkpoint (step 50) is on disk: the run stops
# at the step in progress, somewhere after it, with both pools full
# shellcheck disable=SC2086
"$BIN" $ARGS --out "$T/stopped" > "$T/stopped.log" 2>&1 &
pid=$!
while kill -0 $pid 2> /dev/null && [ ! -f "$T/stopped/checkpoint.bin" ]; do sleep 0.05; done
kill -INT $pid 2> /dev/null
wait $pid
grep -q "To continue it" "$T/stopped.log" || fail "the run was not stopped by SIGINT ($T/stopped.log)"
# shellcheck disable=SC2086
"$BIN" $ARGS --out "$T/stopped" --resume >> "$T/stopped.log" 2>&1 || fail "the resumed run failed ($T/stopped.log)"
grep -h "resumed at" "$T/stopped.log"
for f in loss.csv test.csv checkpoint.bin; do
    if cmp -s "$T/full/$f" "$T/stopped/$f"; then
        echo "resume_check PASS $f: the resumed run's equals the uninterrupted run's"; passed=$((passed + 1))
    else
        echo "resume_check FAIL $f differs between the resumed and the uninterrupted run"; failed=$((failed + 1))
    fi
done
finish
