#!/usr/bin/env bash
# run.sh - the crash-safety tests of a training run, on the REAL lesson
# program of lesson 02 (its ring part: two small MLPs, a second of training)
# and, where the lesson matters, lesson 05's:
#   - killed with SIGKILL at random moments (checkpoints every step, so that
#     many kills land inside a save), the run leaves a whole checkpoint each
#     time, and resuming until done gives the uninterrupted run's loss.csv and
#     final checkpoint.bin byte for byte (same seed, --threads 1: exact);
#   - SIGINT and SIGTERM (most likely arriving during a save): exit 130 / 143
#     after saving, the command that resumes printed; resumed, the same curve
#     and final checkpoint again;
#   - a NaN injected into a gradient (GAN_TEST_NAN_AT, trainloop.h) stops the
#     run with exit 3 before the update, naming the step, the tensor and the
#     element, and the checkpoint on disk is the last good step's, byte for
#     byte; a finite divergence (a learning rate of 10) stops it too;
#   - a second run on the same folder is refused, naming the first; a
#     checkpoint with one flipped bit is refused; a refused resume leaves
#     config.txt as it was; --part both stopped in part 1 resumes;
#   - an unusable output folder or a file size limit too small for a
#     checkpoint is refused before the first step; a save that fails mid-run
#     leaves the previous checkpoint byte-identical and no temporary file.
#
# With the folder of the solutions build (SOLUTIONS_BUILD, which holds
# 03_dcgan/lesson, 04_cgan/lesson, 05_pix2pix/lesson and 05_pix2pix/infer),
# the lesson programs that carried their own loop once are checked too, on
# 256 Fashion-MNIST images cut from the installed set (their FCD classifier
# trains in seconds on them) and on three tiny pairs:
#   - lessons 03 and 04 never name a "last good checkpoint" that does not
#     exist: a NaN before the first save says there is none (and there is
#     none), one after it names the file that holds that step;
#   - lesson 04 trains --steps steps (it once trained whole epochs);
#   - lesson 05's --strip-count 200 is refused before anything runs, naming
#     the flag, the limit and the value; its `infer` on a folder with one bad
#     file writes the others, names the bad one, and lists what it wrote.
#
#   tests/reliability/run.sh LESSON02_BINARY CKPT_VERIFY_BINARY COUNTS_FILE [WORK_FOLDER [SOLUTIONS_BUILD]]
#
# Prints "reliability PASS|FAIL <what>" per check, writes "passed failed label"
# to COUNTS_FILE, exits 1 if any check failed. KILLS (default 6) sets the
# number of kills; the random delays are printed so a failure can be replayed.
set -u
BIN=$1
VERIFY=$2
COUNTS=$3
T=${4:-$(dirname "$COUNTS")/reliability}
KILLS=${KILLS:-6}
rm -rf "$T" && mkdir -p "$T"
passed=0
failed=0
ok()  { echo "reliability PASS $*"; passed=$((passed + 1)); }
bad() { echo "reliability FAIL $*"; failed=$((failed + 1)); }
expect() { local what=$1; shift; if "$@"; then ok "$what"; else bad "$what"; fi; }
SOLUTIONS_BUILD=${5:-}
finish() { echo "$passed $failed reliability: kill/resume, signals, divergence, lock, disk" > "$COUNTS"; exit $((failed > 0)); }

for b in "$BIN" "$VERIFY"; do
    if [ ! -x "$b" ]; then bad "$b was not built"; finish; fi
done
# Lesson 02's ring part: 600 steps, a scatter plot every 100.
RING=(--part ring --threads 1 --seed 7 --ring-batch 64 --scatter-every 100)
run() { timeout 300 "$BIN" "${RING[@]}" "$@"; }
verify() { "$VERIFY" "$1/ring/checkpoint.bin"; }

# ---- kill -9 at random moments, resume until done, compare with an uninterrupted run
STEPS=600
run --out "$T/ref" --steps $STEPS --checkpoint-every 1 > "$T/ref.out" 2>&1
expect "the uninterrupted run finishes" test $? = 0

loadable=0
for k in $(seq 1 "$KILLS"); do
    delay=$(printf '0.%03d' $((RANDOM % 600 + 100)))
    resume=$([ -f "$T/killed/ring/checkpoint.bin" ] && echo --resume)
    # Started directly (not through run's timeout) so that $! is the program itself.
    "$BIN" "${RING[@]}" --out "$T/killed" --steps $STEPS --checkpoint-every 1 $resume \
        >> "$T/killed.out" 2>&1 &
    pid=$!
    sleep "$delay"
    kill -KILL $pid 2>/dev/null
    wait $pid 2>/dev/null
    if [ -f "$T/killed/ring/checkpoint.bin" ]; then
        if verify "$T/killed" > "$T/verify.out" 2>&1; then
            loadable=$((loadable + 1))
            echo "kill $k after ${delay}s: $(cat "$T/verify.out")$(ls "$T/killed/ring" | grep -q tmp && echo ', killed inside a save')"
        else
            echo "kill $k after ${delay}s: NOT whole: $(cat "$T/verify.out")"
        fi
    else
        loadable=$((loadable + 1))
        echo "kill $k after ${delay}s: before the first checkpoint"
    fi
done
expect "after each of $KILLS kills the last checkpoint is whole" test $loadable = "$KILLS"
resume=$([ -f "$T/killed/ring/checkpoint.bin" ] && echo --resume)
run --out "$T/killed" --steps $STEPS --checkpoint-every 1 $resume >> "$T/killed.out" 2>&1
expect "the killed run resumes to the end" test $? = 0
expect "the resumed loss curve (loss.csv) equals the uninterrupted one exactly" \
    cmp "$T/ref/ring/loss.csv" "$T/killed/ring/loss.csv"
expect "the resumed final checkpoint (weights, Adam moments, step, RNG) equals the uninterrupted one byte for byte" \
    cmp "$T/ref/ring/checkpoint.bin" "$T/killed/ring/checkpoint.bin"
expect "... and so do the scatter plots' points" cmp "$T/ref/ring/samples_step00600.csv" "$T/killed/ring/samples_step00600.csv"

# ---- SIGINT and SIGTERM
# A checkpoint every step: most of the time goes into saves (fsync), so the
# signal usually arrives during one.
# The delay counts from the moment the program says it has started training
# (a fresh run: its "output in" line; a resumed one: "resumed at"), not from
# its start: on a loaded machine loading alone can take longer than the run.
sig_run() {   # signal delay: start, signal, wait; the exit code in $st
    local mark="output in" seen
    [ -n "$3" ] && mark="resumed at"
    seen=$(grep -c "$mark" "$T/int.out" 2>/dev/null)
    "$BIN" "${RING[@]}" --out "$T/int" --steps $STEPS --checkpoint-every 1 $3 >> "$T/int.out" 2>&1 &
    local pid=$! i
    for i in $(seq 600); do
        [ "$(grep -c "$mark" "$T/int.out" 2>/dev/null)" -gt "${seen:-0}" ] && break
        sleep 0.05
    done
    sleep "$2"
    kill "-$1" $pid 2>/dev/null
    wait $pid
    st=$?
}
sig_run INT 0.8 ""
expect "SIGINT stops the run with exit 130" test $st = 130
expect "... printing the command that resumes it" grep -qF -A1 "To continue it:" "$T/int.out"
expect "... which has --resume and the folder" grep -qE -- "--out $T/int .*--resume$" "$T/int.out"
expect "... and the checkpoint it saved is whole" verify "$T/int"
sig_run TERM 0.2 --resume
expect "SIGTERM stops the resumed run with exit 143" test $st = 143
run --out "$T/int" --steps $STEPS --checkpoint-every 1 --resume >> "$T/int.out" 2>&1
expect "resumed after SIGINT and SIGTERM, the run ends (exit 0)" test $? = 0
expect "... with the uninterrupted run's loss.csv" cmp "$T/ref/ring/loss.csv" "$T/int/ring/loss.csv"
expect "... and its final checkpoint, byte for byte" cmp "$T/ref/ring/checkpoint.bin" "$T/int/ring/checkpoint.bin"

# ---- divergence
run --out "$T/good30" --steps 30 --scatter-every 10 --checkpoint-every 10 > /dev/null 2>&1
GAN_TEST_NAN_AT=37 run --out "$T/nan" --steps 100 --scatter-every 10 --checkpoint-every 10 > "$T/nan.out" 2>&1
expect "a NaN in a gradient exits 3" test $? = 3
expect "the message names the tensor, the element, the step and the last good checkpoint" \
    grep -qF "the gradient of d.W0 (model D) has NaN at element 0 of 256 at step 37; the last good checkpoint is $T/nan/ring/checkpoint.bin (step 30)" "$T/nan.out"
expect "the checkpoint on disk is step 30's, byte for byte (a 30-step run's)" \
    cmp "$T/good30/ring/checkpoint.bin" "$T/nan/ring/checkpoint.bin"
GAN_TEST_NAN_AT=3 run --out "$T/early" --steps 100 --scatter-every 10 --checkpoint-every 10 > "$T/early.out" 2>&1
expect "a NaN before the first checkpoint says there is none" \
    grep -qF "at step 3; no checkpoint has been written yet" "$T/early.out"
run --out "$T/lr10" --steps 300 --ring-lr 10 --checkpoint-every 10 > "$T/lr10.out" 2>&1
st=$?
expect "a learning rate of 10 (finite but exploding losses) stops with exit 3" test $st = 3
expect "... naming the value past the limit" grep -qF "which no healthy run reaches" "$T/lr10.out"
mkdir -p "$T/lr10resume/ring" && cp "$T/good30/ring/checkpoint.bin" "$T/lr10resume/ring/"
run --out "$T/lr10resume" --steps 300 --ring-lr 10 --scatter-every 10 --checkpoint-every 10 --resume > "$T/lr10resume.out" 2>&1
expect "a good run resumed with a learning rate of 10 stops with exit 3" test $? = 3
expect "... and its good checkpoint (step 30) is not replaced by a diverged one" \
    cmp "$T/good30/ring/checkpoint.bin" "$T/lr10resume/ring/checkpoint.bin"

# ---- one run per folder; damaged checkpoints; refused resumes
"$BIN" "${RING[@]}" --out "$T/lock" --steps 100000 --checkpoint-every 100000 > "$T/lock1.out" 2>&1 &
first=$!
sleep 1
run --out "$T/lock" --steps 10 > "$T/lock2.out" 2>&1
expect "a second run on the same folder is refused (exit 1)" test $? = 1
expect "... naming the first" grep -qF "another run is using this folder (process $first)" "$T/lock2.out"
kill -INT $first; wait $first

cp "$T/good30/ring/checkpoint.bin" "$T/flipped.bin"
printf '\x01' | dd of="$T/flipped.bin" bs=1 seek=2000 conv=notrunc status=none
mkdir -p "$T/flip/ring" && cp "$T/flipped.bin" "$T/flip/ring/checkpoint.bin"
run --out "$T/flip" --steps 60 --scatter-every 10 --checkpoint-every 10 --resume > "$T/flip.out" 2>&1
expect "a checkpoint with one changed byte is refused (exit 1)" test $? = 1
expect "... by its checksum, naming the file" grep -qF "$T/flip/ring/checkpoint.bin: damaged: its checksum" "$T/flip.out"
cp "$T/good30/config.txt" "$T/config.before"
cp "$T/good30/ring/report.html" "$T/report.before"
run --out "$T/good30" --steps 60 --scatter-every 10 --checkpoint-every 10 --ring-z 3 --resume > "$T/refused.out" 2>&1
expect "a resume with another network is refused (exit 1)" test $? = 1
expect "... and leaves config.txt as it was" cmp "$T/config.before" "$T/good30/config.txt"
expect "... and report.html" cmp "$T/report.before" "$T/good30/ring/report.html"

# --part both, stopped in part 1: resuming finishes part 1 and starts part 2.
# Only the first seconds of part 2 are needed: it is killed once it has begun.
"$BIN" --part both --threads 1 --seed 7 --ring-batch 64 --steps 300 --epochs 1 --out "$T/both" > "$T/both.out" 2>&1 &
pid=$!; sleep 0.8; kill -INT $pid; wait $pid
"$BIN" --part both --threads 1 --seed 7 --ring-batch 64 --steps 300 --epochs 1 --out "$T/both" --resume > "$T/both2.out" 2>&1 &
pid=$!
for i in $(seq 1 100); do grep -q "fmnist: reading" "$T/both2.out" 2>/dev/null && break; sleep 0.2; done
kill -KILL $pid 2>/dev/null; wait $pid 2>/dev/null
expect "--part both stopped in part 1 resumes: part 1 ends, part 2 starts" \
    grep -q "fmnist: reading" "$T/both2.out"

run --out "$T/threads" --steps 10 --threads 1000 > "$T/threads.out" 2>&1
expect "--threads 1000 is refused before training (exit 2, a usage error), naming the limit" \
    test $? = 2 -a -n "$(grep -F -- "expected 0 (all cores) to" "$T/threads.out")" \
    -a ! -d "$T/threads"

# ---- the output folder and the disk
: > "$T/a_file"
run --out "$T/a_file/run" --steps 10 > "$T/notdir.out" 2>&1
expect "an output folder under a regular file is refused with exit 1" test $? = 1
expect "... naming the folder and the reason" grep -qF "$T/a_file/run: cannot create the folder: Not a directory" "$T/notdir.out"
if [ "$(id -u)" != 0 ]; then
    mkdir -p "$T/readonly/ring" && chmod 555 "$T/readonly/ring"
    run --out "$T/readonly" --steps 10 > "$T/ro.out" 2>&1
    expect "a read-only output folder is refused with exit 1 before training" test $? = 1 -a ! -f "$T/readonly/ring/loss.csv"
    chmod 755 "$T/readonly/ring"
else
    echo "reliability (root: a chmod 555 folder is writable for root, so that case is not tested)"
fi

# A file size limit (ulimit -f, in 1024-byte blocks) below a checkpoint's size
# (about 400 kB) and above every other file's
# stands in for a full disk: the same write error (EFBIG instead of ENOSPC)
# through the same code. SIGXFSZ is ignored so the write fails instead of
# killing the process.
(trap '' XFSZ; ulimit -f 200; run --out "$T/fsize" --steps 20 > "$T/fsize.out" 2>&1)
expect "a file size limit too small for a checkpoint is refused before the first step (exit 1)" \
    test $? = 1 -a ! -f "$T/fsize/ring/loss.csv" -a ! -f "$T/fsize/ring/checkpoint.bin"
expect "... with a message saying so" grep -qF "the file size limit (ulimit -f) is 204800 bytes, a checkpoint needs" "$T/fsize.out"

cp "$T/good30/ring/checkpoint.bin" "$T/good.bin"
mkdir -p "$T/full/ring" && cp "$T/good.bin" "$T/full/ring/checkpoint.bin"
(trap '' XFSZ; ulimit -f 200; GAN_TEST_SKIP_PREFLIGHT=1 run --out "$T/full" --steps 60 --scatter-every 10 --checkpoint-every 10 --resume > "$T/full.out" 2>&1)
expect "a checkpoint save that fails mid-run exits 1" test $? = 1
expect "... saying the previous checkpoint is unchanged" grep -qF "(the previous file, if any, is unchanged)" "$T/full.out"
expect "... and it is: byte-identical to step 30's" cmp "$T/good.bin" "$T/full/ring/checkpoint.bin"
expect "... with no temporary file left behind" test -z "$(ls "$T/full/ring" | grep tmp)"

head -c 1000 "$T/good.bin" > "$T/full/ring/checkpoint.bin"
run --out "$T/full" --steps 60 --resume > "$T/trunc.out" 2>&1
expect "resuming from a truncated checkpoint exits 1 naming the file" \
    test $? = 1 -a -n "$(grep -F "$T/full/ring/checkpoint.bin: truncated" "$T/trunc.out")"
# ---- lessons 03, 04 and 05
if [ -z "$SOLUTIONS_BUILD" ]; then
    echo "reliability (no SOLUTIONS_BUILD given: lessons 03-05 not checked)"
    finish
fi
L03=$SOLUTIONS_BUILD/03_dcgan/lesson L04=$SOLUTIONS_BUILD/04_cgan/lesson
L05=$SOLUTIONS_BUILD/05_pix2pix/lesson INFER=$SOLUTIONS_BUILD/05_pix2pix/infer
for b in "$L03" "$L04" "$L05" "$INFER"; do
    if [ ! -x "$b" ]; then bad "$b was not built"; finish; fi
done

"$L05" --strip-count 200 --out "$T/strips" > "$T/strips.out" 2>&1
expect "lesson 05's --strip-count 200 is refused before anything runs (exit 2, no folder)" \
    test $? = 2 -a ! -d "$T/strips"
expect "... naming the flag, the limit and the value" \
    grep -qF -- "--strip-count: expected 1 to 64, found 200" "$T/strips.out"

# Three 8x4 pairs (resized to the load size) train two steps; a folder of
# two 64x64 sketches and a file that is not a PNG goes through `infer`.
mkdir -p "$T/pairs/train" "$T/pairs/val" "$T/sketches"
cp tests/data/paired/good/*.png "$T/pairs/train/" && cp tests/data/paired/good/*.png "$T/pairs/val/"
"$L05" --data "$T/pairs" --batch 1 --steps 2 --sample-every 2 --strip-count 2 --threads 1 \
    --out "$T/p2p" > "$T/p2p.out" 2>&1
expect "lesson 05 trains two steps on three tiny pairs" test $? = 0
cp tests/data/sketch_64x64.png "$T/sketches/a.png"
cp tests/data/not_a_png.png "$T/sketches/b.png"
cp tests/data/sketch_64x64.png "$T/sketches/c.png"
"$INFER" --checkpoint "$T/p2p/checkpoint.bin" --input "$T/sketches" --output "$T/coloured" \
    --threads 1 > "$T/infer.out" 2> "$T/infer.err"
expect "infer on a folder with one bad file exits 1" test $? = 1
expect "... writing the two good ones" test -f "$T/coloured/a.png" -a -f "$T/coloured/c.png" -a ! -e "$T/coloured/b.png"
expect "... naming the bad one" grep -qF "skipped: $T/sketches/b.png: expected the PNG signature" "$T/infer.err"
expect "... and ending with the list of what it wrote" \
    test "$(sed -n '/ Wrote:$/,$p' "$T/infer.out" | tail -n +2)" = "$(printf '  %s\n  %s' "$T/coloured/a.png" "$T/coloured/c.png")"

FMNIST=/usr/share/datasets/fashion-mnist
if [ ! -f "$FMNIST/train-images-idx3-ubyte.gz" ]; then
    echo "reliability (no Fashion-MNIST in $FMNIST, make deps installs it: lessons 03 and 04 not checked)"
    finish
fi
# The first N records of an IDX file: its magic, the count N, the rest of the
# header (the image size), N records.
N=256
be32() { printf '\\x%02x' $(($1 >> 24 & 255)) $(($1 >> 16 & 255)) $(($1 >> 8 & 255)) $(($1 & 255)); }
cut_idx() {   # source, magic, header after the count, record size, destination
    local skip=$((8 + ${#3} / 4))
    { printf "$2$(be32 $N)$3"; zcat "$1" | tail -c +$((skip + 1)) | head -c $(($4 * N)); } | gzip -1 > "$5"
}
mkdir -p "$T/fm"
for split in train t10k; do
    cut_idx "$FMNIST/$split-images-idx3-ubyte.gz" '\x00\x00\x08\x03' '\x00\x00\x00\x1c\x00\x00\x00\x1c' 784 \
        "$T/fm/$split-images-idx3-ubyte.gz"
    cut_idx "$FMNIST/$split-labels-idx1-ubyte.gz" '\x00\x00\x08\x01' '' 1 "$T/fm/$split-labels-idx1-ubyte.gz"
done
FM=(--data "$T/fm" --evaluator "$T/fm/classifier.ckpt" --threads 1 --batch 16)

GAN_TEST_NAN_AT=7 "$L03" "${FM[@]}" --steps 20 --checkpoint-every 5 --grid-every 5 --fcd-every 100 \
    --out "$T/l03" > "$T/l03.out" 2>&1
expect "lesson 03: a NaN in a gradient exits 3" test $? = 3
expect "... naming the last good checkpoint, step 5's" \
    grep -qF "at step 7; the last good checkpoint is $T/l03/checkpoint.bin (step 5)" "$T/l03.out"
expect "... which exists and holds step 5" \
    test "$("$VERIFY" "$T/l03/checkpoint.bin" 2>&1)" = "$T/l03/checkpoint.bin: step 5"

GAN_TEST_NAN_AT=3 "$L04" "${FM[@]}" --steps 7 --out "$T/l04nan" > "$T/l04nan.out" 2>&1
expect "lesson 04: a NaN before the first checkpoint exits 3" test $? = 3
expect "... saying there is no checkpoint yet, and there is none" \
    test -n "$(grep -F "at step 3; no checkpoint has been written yet" "$T/l04nan.out")" \
    -a ! -e "$T/l04nan/checkpoint.bin"
"$L04" "${FM[@]}" --steps 7 --out "$T/l04" > "$T/l04.out" 2>&1
expect "lesson 04 --steps 7 (an epoch is 16 steps) ends (exit 0)" test $? = 0
expect "... after 7 steps: loss.csv's last row, results.txt and the checkpoint say so" \
    test "$(tail -1 "$T/l04/loss.csv" | cut -d, -f1)" = 7 \
    -a "$(head -1 "$T/l04/results.txt")" = "steps 7 (0.44 epochs)" \
    -a "$("$VERIFY" "$T/l04/checkpoint.bin" 2>&1)" = "$T/l04/checkpoint.bin: step 7"
finish
