#!/usr/bin/env bash
# selftest.sh - proves the grading machinery end to end on the fixture lessons
# (tests/harness/fixtures/), through the real Makefile targets.
#
#   tests/harness/selftest.sh LIB_BUILD COUNTS_FILE
#
# Prints "selftest PASS|FAIL <what>" per check, writes "passed failed label"
# to COUNTS_FILE for make test's summary, exits 1 if any check failed.
set -u
LIB_BUILD=$1
COUNTS=$2
FX=tests/harness/fixtures
H=$LIB_BUILD/harness
T=$H/selftest
rm -rf "$T" && mkdir -p "$T"
passed=0
failed=0

ok()  { echo "selftest PASS $*"; passed=$((passed + 1)); }
bad() { echo "selftest FAIL $*"; failed=$((failed + 1)); }
expect() { # expect "what" command...: PASS if the command succeeds
    local what=$1; shift
    if "$@"; then ok "$what"; else bad "$what"; fi
}

# make on the fixture lessons, in a BUILD folder per variant sharing the library.
fx_make() {
    local variant=$1; shift
    make --no-print-directory LIB_BUILD="$LIB_BUILD" BUILD="$H/fx-$variant" \
         LESSONS_DIR=$FX/lessons SOLUTIONS_DIR=$FX/solutions LESSON_TESTS=$FX/tests "$@"
}

# jsoncheck's summary of a results.json: "score S of M", then
# "<status> <score>/<max> <visibility> <name>" per test.
summary() { "$H/jsoncheck" "$1" > "$T/$2.summary" 2> "$T/$2.jsonerr"; }
has()     { grep -qF -- "$2" "$T/$1.summary"; }
failed_tests() { grep '^failed' "$T/$1.summary" | sed 's/.*: //' | sort | tr '\n' ' '; }

# ---- the untouched stubs: every exercise fails, score 0
fx_make stub grade > "$T/stub.log" 2>&1
expect "grade on the stubs exits 0" test $? = 0
expect "grade on the stubs writes a valid results.json" summary "$H/fx-stub/grade/results.json" stub
expect "grade on the stubs scores 0 of 19" has stub "score 0 of 19"
expect "every graded test fails on the stubs" test "$(grep -c '^failed' "$T/stub.summary")" = 7
fx_make stub check LESSON=90 > "$T/stub-check.log" 2>&1
expect "check on the stubs: every exercise FAIL, naming the missing exercise" \
    test "$(grep -c 'FAIL  exercise 90.[0-9].*is not done yet' "$T/stub-check.log")" = 6
expect "check on the stubs: Score: 0/15" grep -q '^Score: 0/15$' "$T/stub-check.log"
expect "the stub check passes on the stubs" fx_make stub stub-check > "$T/stubcheck-ok.log" 2>&1

# ---- the solutions: full score
fx_make sol grade SOLUTIONS=1 > "$T/sol.log" 2>&1
expect "grade on the solutions exits 0" test $? = 0
expect "grade on the solutions writes a valid results.json" summary "$H/fx-sol/grade/results.json" sol
expect "grade on the solutions scores 19 of 19" has sol "score 19 of 19"
expect "grade writes the JUnit XML" grep -q '<testcase classname="90_fixture.l90" name="dot"' "$H/fx-sol/grade/junit.xml"
fx_make sol check LESSON=90 SOLUTIONS=1 > "$T/sol-check.log" 2>&1
expect "check SOLUTIONS=1: every exercise PASS" test "$(grep -c 'PASS  exercise' "$T/sol-check.log")" = 6
expect "check SOLUTIONS=1: Score: 15/15" grep -q '^Score: 15/15$' "$T/sol-check.log"

# ---- planted faults: each fails its own exercise only
fx_make faulty grade SOLUTIONS=1 SOLUTIONS_DIR=$FX/faulty > "$T/faulty.log" 2>&1
expect "grade with planted faults exits 0" test $? = 0
expect "results.json stays valid with quotes and backslashes in messages" \
    summary "$H/fx-faulty/grade/results.json" faulty
expect "exactly the five faulty exercises fail (segfault, endless loop, exit(0), out of bounds, wrong)" \
    test "$(failed_tests faulty)" = "l90/add l90/fill l90/max l90/scale l90/sum "
expect "the right exercise beside them still passes" has faulty "passed 5/5 visible 90_fixture: exercise 90.6: l90/dot"
expect "the other lesson still passes" has faulty "passed 4/4 visible 91_fixture: exercise 91.1: l91/neg"
expect "exit(0) is reported as such" grep -q 'l90/scale: exit(0) was called' "$T/faulty.log"
expect "the endless loop is reported as timed out" grep -q 'l90/sum: timed out' "$T/faulty.log"

# ---- a lesson that does not compile: a compilation entry, the other lesson graded
fx_make broken grade SOLUTIONS=1 SOLUTIONS_DIR=$FX/broken > "$T/broken.log" 2>&1
expect "grade with a compile error exits 0" test $? = 0
expect "results.json is valid when a lesson does not compile" summary "$H/fx-broken/grade/results.json" broken
expect "a failed compilation entry is present" has broken "failed 0/0 visible 90_fixture: compilation"
expect "the compiler's message is in results.json" grep -q "fx_ops.c:[0-9]*:[0-9]*: error: expected" "$H/fx-broken/grade/results.json"
expect "the lesson that compiles is still graded" has broken "passed 4/4 visible 91_fixture: exercise 91.1: l91/neg"
expect "the broken lesson scores 0, the other full: 4 of 19" has broken "score 4 of 19"

# ---- private tests, and a test with no .timeout that never ends
fx_make sol grade SOLUTIONS=1 TESTS_DIR=$FX/private GRADE_TIMEOUT=5 > "$T/private.log" 2>&1
expect "grade with private tests exits 0" test $? = 0
expect "results.json with private tests is valid" summary "$H/fx-sol/grade/results.json" private
expect "a private test keeps the visibility of its points.tsv line" \
    has private "passed 1/1 after_due_date 90_fixture (private): exercise 90.1: l90p/add_negative"
expect "a private test without one gets PRIVATE_VISIBILITY (hidden)" \
    has private "failed 0/1 hidden 90_fixture (private): exercise 90.2: l90p_hang/never_ends"
expect "the outer time limit fails the endless test alone (public tests: 19 of 19)" has private "score 20 of 21"

# ---- private tests that cannot be graded stop grading, naming why
fx_make sol grade SOLUTIONS=1 TESTS_DIR="$T/no_such_folder" > "$T/nodir.log" 2>&1
expect "grade with a TESTS_DIR that does not exist fails (exit 2)" test $? = 2
expect "... naming the folder" grep -qF "TESTS_DIR=$T/no_such_folder: no such folder" "$T/nodir.log"
mkdir -p "$T/no_points/90_fixture"
fx_make sol grade SOLUTIONS=1 TESTS_DIR="$T/no_points" > "$T/nopoints.log" 2>&1
expect "grade with a TESTS_DIR holding no points.tsv fails (exit 2)" test $? = 2
expect "... saying what it expected" grep -qF "TESTS_DIR=$T/no_points: expected <lesson>/points.tsv" "$T/nopoints.log"
cp -r $FX/private "$T/dup_private"
head -1 $FX/private/90_fixture/points.tsv >> "$T/dup_private/90_fixture/points.tsv"
# (a BUILD of its own: the private objects' dependency files name their TESTS_DIR)
fx_make dup grade SOLUTIONS=1 TESTS_DIR="$T/dup_private" GRADE_TIMEOUT=5 > "$T/dup.log" 2>&1
expect "grade with a test listed twice in points.tsv fails" test $? != 0
expect "... naming the file and both lines" \
    grep -qF "$T/dup_private/90_fixture/points.tsv:3: l90p/add_negative is already graded on line 1" "$T/dup.log"

# ---- the honesty checks can fail
"$H/grade" --mode stubs --out "$T/stubs-on-sol" --lesson 90_fixture \
    --points $FX/tests/90_fixture/points.tsv --bin "$H/fx-sol/solutions/90_fixture/test" > "$T/stubs-on-sol.log" 2>&1
expect "the stub check fails when a graded test passes on the 'stub'" test $? = 1
expect "... and names the test" grep -q 'stub-check FAIL 90_fixture l90/dot (exercise 90.6): passes on the untouched stub' "$T/stubs-on-sol.log"
grep -v 'l90/dot' $FX/tests/90_fixture/points.tsv > "$T/no-90.6.tsv"
"$H/grade" --mode stubs --out "$T/unmarked" --lesson 90_fixture --points "$T/no-90.6.tsv" \
    --bin "$H/fx-stub/student/90_fixture/test" --src $FX/lessons/90_fixture/fx_ops.c > "$T/unmarked.log" 2>&1
expect "the stub check fails on an exercise with no graded test" grep -q 'exercise 90.6: no graded test' "$T/unmarked.log"
printf 'l90/add\t90.1\t1\nl90/misspelled\t90.2\t1\n' > "$T/misspelled.tsv"
"$H/fx-sol/solutions/90_fixture/test" --xml="$T/sol.xml" > /dev/null 2>&1
"$H/grade" --mode solutions --lesson 90_fixture --points "$T/misspelled.tsv" --xml-in "$T/sol.xml" > "$T/misspelled.log" 2>&1
expect "the solutions check fails on a graded test that does not exist" test $? = 1
expect "... and names it" grep -q 'l90/misspelled.*does not exist' "$T/misspelled.log"
make --no-print-directory lint-tests LINT_FILES=$FX/lint/uses_gt.c REPORTS="$T" > "$T/lint.log" 2>&1
expect "the lint rejects gt() (true for equal values in Criterion 2.4.1)" test $? != 0
expect "... naming the file" grep -q 'uses_gt.c:8:' "$T/lint.log"

# ---- Criterion drops tests linked from a static archive: why tests link as objects
ar rcs "$T/tests.a" "$H/fx-sol/solutions/90_fixture/tests/"*.o
gcc "$T/tests.a" "$H/fx-sol/solutions/90_fixture/fx_ops.o" "$LIB_BUILD/lib/libcommon.a" \
    -o "$T/from_archive" -lcriterion -lblis -lpng -ljpeg -lz -lm -fopenmp 2> "$T/archive.log"
"$T/from_archive" > "$T/archive-run.log" 2>&1
expect "tests in a static archive are silently dropped (Tested: 0)" grep -q 'Tested: 0 ' "$T/archive-run.log"
"$H/fx-sol/solutions/90_fixture/test" > "$T/objects-run.log" 2>&1
expect "the same tests linked as objects all run (Tested: 7)" grep -q 'Tested: 7 ' "$T/objects-run.log"

# ---- make run: the student's code by default, the reference with SOLUTIONS=1
fx_make sol run LESSON=90 SOLUTIONS=1 > "$T/run-sol.log" 2>&1
expect "make run SOLUTIONS=1 runs the reference program" grep -q 'fx_add(1, 2) = 3' "$T/run-sol.log"
fx_make stub run LESSON=90 > "$T/run-stub.log" 2>&1
expect "make run on the stubs stops, naming the missing exercise" grep -q 'exercise 90.1 is not done yet' "$T/run-stub.log"

if [ $failed != 0 ]; then echo "selftest: the logs are in $T"; fi
echo "$passed $failed harness self-test (fixture lessons graded end to end)" > "$COUNTS"
echo "selftest: $passed passed, $failed failed"
[ $failed = 0 ]
