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
# Its own small unpaired set, made from committed test images (a clean clone
# has no datasets/; the loader resizes every image to the run's size): the
# check is about the resume, not about the data.
D=tests/data
rm -rf "$T/full" "$T/stopped" "$T/data" && mkdir -p "$T/data/trainA" "$T/data/trainB" "$T/data/testA" "$T/data/testB"
cp $D/sketch_64x64.png "$T/data/trainA/s.png" && cp $D/paired/unpaired/trainA/a0.png $D/paired/unpaired/trainA/a1.png "$T/data/trainA/" &&
  cp $D/paired/unpaired/trainB/b0.png $D/paired/unpaired/trainB/b1.png $D/paired/unpaired/trainB/b2.png "$T/data/trainB/" &&
  for i in 0 1 2; do cp $D/paired/good/pair$i.png "$T/data/testA/t$i.png" && cp $D/paired/unpaired/trainB/b$i.png "$T/data/testB/t$i.png"; done &&
  cp $D/sketch_64x64.png "$T/data/testA/t3.png" && cp $D/rgb_4x3.png "$T/data/testB/t3.png" || fail "cannot make the small data set in $T/data"
ARGS="--data $T/data --threads 1 --ngf 4 --blocks 1 --ndf 4 --pool 4 --sample-every 50 --test-count 4 --strip-count 1 --steps 400"
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
