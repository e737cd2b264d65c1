#!/usr/bin/env bash
# run.sh - the crash-safety tests of a training run, on tests/reliability/train_tiny:
#   - killed with SIGKILL at random moments (often inside a checkpoint save),
#     the run leaves a loadable checkpoint each time, and resuming until done
#     gives the uninterrupted run's log.csv and final checkpoint.bin byte for
#     byte (same seed, --threads 1: the comparison is exact, no tolerance);
#   - a NaN loss or an Inf gradient stops the run with exit 3, a message naming
#     the step and the tensor, and the last good checkpoint untouched;
#   - an unusable output folder or a file size limit too small for a
#     checkpoint is refused before the first step; a save that fails mid-run
#     leaves the previous checkpoint byte-identical and no temporary file.
#
#   tests/reliability/run.sh TRAIN_TINY_BINARY COUNTS_FILE [WORK_FOLDER]
#
# Prints "reliability PASS|FAIL <what>" per check, writes "passed failed label"
# to COUNTS_FILE, exits 1 if any check failed. KILLS (default 6) sets the
# number of kills; the random delays are printed so a failure can be replayed.
set -u
BIN=$1
COUNTS=$2
T=${3:-$(dirname "$COUNTS")/reliability}
KILLS=${KILLS:-6}
rm -rf "$T" && mkdir -p "$T"
passed=0
failed=0
ok()  { echo "reliability PASS $*"; passed=$((passed + 1)); }
bad() { echo "reliability FAIL $*"; failed=$((failed + 1)); }
expect() { local what=$1; shift; if "$@"; then ok "$what"; else bad "$what"; fi; }
finish() { echo "$passed $failed reliability: kill/resume, divergence, disk" > "$COUNTS"; exit $((failed > 0)); }

if [ ! -x "$BIN" ]; then bad "the trainer $BIN was not built"; finish; fi
run() { timeout 120 "$BIN" --threads 1 --seed 7 "$@"; }

# ---- kill -9 at random moments, resume until done, compare with an uninterrupted run
STEPS=600
EVERY=3
run --out "$T/ref" --steps $STEPS --ckpt-every $EVERY > "$T/ref.out" 2>&1
expect "the uninterrupted run finishes" test $? = 0

mkdir -p "$T/killed"
loadable=0
for k in $(seq 1 "$KILLS"); do
    delay=$(printf '0.%03d' $((RANDOM % 400 + 20)))
    # Started directly (not through run's timeout) so that $! is the trainer itself.
    "$BIN" --threads 1 --seed 7 --out "$T/killed" --steps $STEPS --ckpt-every $EVERY --resume \
        >> "$T/killed.out" 2>&1 &
    pid=$!
    sleep "$delay"
    kill -KILL $pid 2>/dev/null
    wait $pid 2>/dev/null
    if [ -f "$T/killed/checkpoint.bin" ]; then
        if run --out "$T/killed" --verify > "$T/verify.out" 2>&1; then
            loadable=$((loadable + 1))
            echo "kill $k after ${delay}s: $(cat "$T/verify.out")"
        else
            echo "kill $k after ${delay}s: NOT loadable: $(cat "$T/verify.out")"
        fi
    else
        loadable=$((loadable + 1))
        echo "kill $k after ${delay}s: before the first checkpoint"
    fi
done
expect "after each of $KILLS kills the last checkpoint loads" test $loadable = "$KILLS"
run --out "$T/killed" --steps $STEPS --ckpt-every $EVERY --resume >> "$T/killed.out" 2>&1
expect "the killed run resumes to the end" test $? = 0
expect "the resumed loss curve (log.csv) equals the uninterrupted one exactly" \
    cmp "$T/ref/log.csv" "$T/killed/log.csv"
expect "the resumed final checkpoint (weights, Adam moments, step, RNG) equals the uninterrupted one byte for byte" \
    cmp "$T/ref/checkpoint.bin" "$T/killed/checkpoint.bin"

# ---- divergence
run --out "$T/nan" --steps 100 --ckpt-every 10 --nan-loss-at 37 > "$T/nan.out" 2>&1
expect "a NaN loss exits 3" test $? = 3
expect "the message names the loss, the step and the last good checkpoint" \
    grep -qF "loss_d is NaN at step 37; the last good checkpoint is $T/nan/checkpoint.bin (step 30)" "$T/nan.out"
expect "the checkpoint on disk is still step 30's and loads" \
    grep -q 'step 30$' <(run --out "$T/nan" --verify 2>&1)
expect "the log ends at the last good step, 36" test "$(tail -1 "$T/nan/log.csv" | cut -d, -f1)" = 36

run --out "$T/inf" --steps 100 --ckpt-every 10 --inf-grad-at 15 > "$T/inf.out" 2>&1
expect "an Inf gradient exits 3" test $? = 3
expect "the message names the tensor, the element and the step" \
    grep -qF "the gradient of g.fc2.weight (model G) has Inf at element 1 of 32 at step 15; the last good checkpoint is $T/inf/checkpoint.bin (step 10)" "$T/inf.out"

run --out "$T/early" --steps 100 --ckpt-every 10 --nan-loss-at 3 > "$T/early.out" 2>&1
expect "a NaN before the first checkpoint says there is none" \
    grep -qF "loss_d is NaN at step 3; no checkpoint has been written yet" "$T/early.out"

# ---- the output folder and the disk
: > "$T/a_file"
run --out "$T/a_file/run" --steps 10 > "$T/notdir.out" 2>&1
st=$?
expect "an output folder under a regular file is refused with exit 1" test $st = 1
expect "... naming the folder and the reason" grep -qF "$T/a_file/run: cannot create the folder: Not a directory" "$T/notdir.out"
if [ "$(id -u)" != 0 ]; then
    mkdir -p "$T/readonly" && chmod 555 "$T/readonly"
    run --out "$T/readonly" --steps 10 > "$T/ro.out" 2>&1
    expect "a read-only output folder is refused with exit 1 before training" test $? = 1 -a ! -f "$T/readonly/log.csv"
    chmod 755 "$T/readonly"
else
    echo "reliability (root: a chmod 555 folder is writable for root, so that case is not tested)"
fi

# A file size limit (ulimit -f, in 1024-byte blocks) below a checkpoint's size
# stands in for a full disk: the same write error (EFBIG instead of ENOSPC)
# through the same code. SIGXFSZ is ignored so the write fails instead of
# killing the process.
(trap '' XFSZ; ulimit -f 2; run --out "$T/fsize" --steps 20 > "$T/fsize.out" 2>&1)
expect "a file size limit too small for a checkpoint is refused before the first step (exit 1)" \
    test $? = 1 -a ! -f "$T/fsize/log.csv" -a ! -f "$T/fsize/checkpoint.bin"
expect "... with a message saying so" grep -qF "the file size limit (ulimit -f) is 2048 bytes, a checkpoint needs" "$T/fsize.out"

run --out "$T/full" --steps 20 --ckpt-every 10 > /dev/null 2>&1
cp "$T/full/checkpoint.bin" "$T/good.bin"
(trap '' XFSZ; ulimit -f 2; run --out "$T/full" --steps 40 --ckpt-every 10 --resume --skip-preflight > "$T/full.out" 2>&1)
expect "a checkpoint save that fails mid-run exits 1" test $? = 1
expect "... saying the previous checkpoint is unchanged" grep -qF "(the previous file, if any, is unchanged)" "$T/full.out"
expect "... and it is: byte-identical to step 20's" cmp "$T/good.bin" "$T/full/checkpoint.bin"
expect "... with no temporary file left behind" test -z "$(ls "$T/full" | grep tmp)"

head -c 1000 "$T/good.bin" > "$T/full/checkpoint.bin"
run --out "$T/full" --steps 40 --resume > "$T/trunc.out" 2>&1
expect "resuming from a truncated checkpoint exits 1 naming the file" \
    test $? = 1 -a -n "$(grep -F "$T/full/checkpoint.bin: expected" "$T/trunc.out")"
finish
