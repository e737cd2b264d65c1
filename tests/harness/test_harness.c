// test_harness.c - the grading tools' own pieces, and the workarounds for
// Criterion 2.4.1's defects that they rely on.
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "json.h"
#include "junit.h"
#include "points.h"

// ---------------------------------------------------------------- the JUnit scanner

// What Criterion 2.4.1 writes for a failing, a crashing and a passing test: the
// second line of a multi-line message sits outside the CDATA, unescaped.
static const char REPORT[] =
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
    "<testsuites name=\"Criterion Tests\" tests=\"3\" failures=\"1\" errors=\"1\" disabled=\"0\">\n"
    "  <testsuite name=\"s\" tests=\"3\" failures=\"1\" errors=\"1\" disabled=\"0\" skipped=\"0\" time=\"0.001\">\n"
    "    <testcase name=\"segv\" assertions=\"0\" status=\"ERRORED\" time=\"0.000\">\n"
    "      <error type=\"crash\" message=\"The test crashed.\" />    </testcase>\n"
    "    <testcase name=\"fail\" assertions=\"1\" status=\"FAILED\" time=\"0.001\">\n"
    "      <failure type=\"assert\" message=\"1 assertion(s) failed.\"><![CDATA[t.c:7: a \"quoted\" <msg> & \\ back]]>&#10;        line2 <raw> & more&#10;</failure>\n"
    "    </testcase>\n"
    "    <testcase name=\"pass\" assertions=\"0\" status=\"PASSED\" time=\"0.000\">\n"
    "    </testcase>\n"
    "  </testsuite>\n"
    "</testsuites>";

TestSuite(harness_junit, .timeout = 10);

Test(harness_junit, reads_status_and_messages) {
    JunitReport rep;
    cr_assert(junit_parse(REPORT, &rep) == 0, "a Criterion report must be accepted");
    cr_assert(rep.n == 3, "3 test cases expected, got %d", rep.n);
    const JunitCase *segv = junit_find(&rep, "s", "segv");
    const JunitCase *fail = junit_find(&rep, "s", "fail");
    const JunitCase *pass = junit_find(&rep, "s", "pass");
    cr_assert(segv && fail && pass, "every test case must be found by suite and name");
    cr_assert(strcmp(segv->status, "ERRORED") == 0, "segv status: %s", segv->status);
    cr_assert(strcmp(segv->message, "The test crashed.") == 0, "segv message: [%s]", segv->message);
    cr_assert(strcmp(fail->status, "FAILED") == 0, "fail status: %s", fail->status);
    cr_assert(strcmp(fail->message, "t.c:7: a \"quoted\" <msg> & \\ back\nline2 <raw> & more\n") == 0,
              "fail message: [%s]", fail->message);
    cr_assert(strcmp(pass->status, "PASSED") == 0 && pass->message[0] == '\0',
              "pass: status %s, message [%s]", pass->status, pass->message);
    cr_assert(junit_find(&rep, "s", "absent") == NULL, "an absent test must not be found");
    junit_free(&rep);
}

// A runner killed mid-write leaves a truncated report: the complete cases count.
Test(harness_junit, survives_a_truncated_report) {
    char cut[sizeof REPORT];
    const char *at = strstr(REPORT, "<testcase name=\"pass\"");
    size_t n = (size_t)(at - REPORT) + 12;
    memcpy(cut, REPORT, n);
    cut[n] = '\0';
    JunitReport rep;
    cr_assert(junit_parse(cut, &rep) == 0, "a truncated report is still a report");
    cr_assert(rep.n == 2, "the two complete cases expected, got %d", rep.n);
    cr_assert(junit_find(&rep, "s", "pass") == NULL, "the cut-off case must not be invented");
    junit_free(&rep);
}

Test(harness_junit, rejects_what_is_not_a_report) {
    JunitReport rep;
    cr_assert(junit_parse("", &rep) == -1, "an empty file is not a report");
    cr_assert(junit_parse("Segmentation fault", &rep) == -1, "text is not a report");
    cr_assert(junit_read("/nonexistent/report.xml", &rep) == -1, "a missing file is not a report");
}

// ---------------------------------------------------------------- JSON strings

// json_string into a buffer.
static char *json_of(const char *s, long max_bytes) {
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    json_string(f, s, max_bytes);
    fclose(f);
    return buf;
}

TestSuite(harness_json, .timeout = 10);

Test(harness_json, escapes_quotes_backslashes_and_controls) {
    char *got = json_of("say \"hi\" \\ C:\\dir\n\ttab\x01\x7f end", 0);
    const char *want = "\"say \\\"hi\\\" \\\\ C:\\\\dir\\n\\ttab\\u0001\\u007f end\"";
    cr_assert(strcmp(got, want) == 0, "got %s, want %s", got, want);
    free(got);
}

Test(harness_json, replaces_invalid_utf8_and_keeps_valid) {
    // valid: e-acute (2 bytes), Hangul 생 (3 bytes); invalid: a lone 0xff, an
    // overlong '/', a truncated 3-byte sequence at the end.
    char *got = json_of("\xc3\xa9 \xec\x83\x9d \xff \xc0\xaf \xe2\x82", 0);
    const char *want = "\"\xc3\xa9 \xec\x83\x9d \\ufffd \\ufffd\\ufffd \\ufffd\\ufffd\"";
    cr_assert(strcmp(got, want) == 0, "got %s, want %s", got, want);
    free(got);
}

Test(harness_json, truncates_on_a_character_boundary) {
    char *got = json_of("ab\xec\x83\x9d", 4); // the 3-byte character does not fit
    cr_assert(strncmp(got, "\"ab\\n[... output truncated", 26) == 0, "got %s", got);
    free(got);
}

// ---------------------------------------------------------------- points.tsv

// A new temporary file holding text (the previous one, if any, is removed).
static const char *write_tmp(const char *text) {
    static char path[64];
    if (path[0]) unlink(path);
    snprintf(path, sizeof path, "/tmp/harness_points_XXXXXX.tsv");
    int fd = mkstemps(path, 4);
    cr_assert(fd >= 0, "cannot make a temporary file %s", path);
    FILE *f = fdopen(fd, "w");
    cr_assert(f != NULL, "cannot open the temporary file %s", path);
    fputs(text, f);
    fclose(f);
    return path;
}

TestSuite(harness_points, .timeout = 10);

Test(harness_points, reads_lines_comments_and_visibility) {
    const char *path = write_tmp("# graded tests\nl01_bce/matches\t1.1\t5\n\nl01_d/grad\t1.2\t2.5\thidden\n");
    PointsFile pf;
    char err[256];
    cr_assert(points_read(path, &pf, err, sizeof err) == 0, "a valid file was rejected: %s", err);
    cr_assert(pf.n == 2, "2 graded tests expected, got %d", pf.n);
    cr_assert(strcmp(pf.tests[0].suite, "l01_bce") == 0 && strcmp(pf.tests[0].name, "matches") == 0,
              "first test read as %s/%s", pf.tests[0].suite, pf.tests[0].name);
    cr_assert(strcmp(pf.tests[1].exercise, "1.2") == 0 && pf.tests[1].points == 2.5,
              "second test: exercise %s, %g points", pf.tests[1].exercise, pf.tests[1].points);
    cr_assert(pf.tests[0].visibility[0] == '\0' && strcmp(pf.tests[1].visibility, "hidden") == 0,
              "visibility: [%s] [%s]", pf.tests[0].visibility, pf.tests[1].visibility);
    points_free(&pf);
    unlink(path);
}

Test(harness_points, names_the_line_that_is_wrong) {
    const char *bad[] = {"l01/a 1.1 5\n", "noslash\t1.1\t5\n", "l01/a\t1.1\tfive\n",
                         "l01/a\t1.1\t0\n", "l01/a\t1.1\t5\tsecret\n"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        const char *path = write_tmp(bad[i]);
        PointsFile pf;
        char err[256] = "";
        cr_assert(points_read(path, &pf, err, sizeof err) == -1, "accepted a bad line: %s", bad[i]);
        cr_assert(strstr(err, ":1:") != NULL, "the message must name line 1: %s", err);
        unlink(path);
    }
}

// A duplicated line counted its test's points twice.
Test(harness_points, refuses_a_test_listed_twice) {
    const char *path = write_tmp("l01/a\t1.1\t5\n# a comment\nl01/b\t1.2\t1\nl01/a\t1.3\t5\n");
    PointsFile pf;
    char err[256] = "";
    cr_assert(points_read(path, &pf, err, sizeof err) == -1, "a test listed twice was accepted");
    char want[128];
    snprintf(want, sizeof want, "%s:4: l01/a is already graded on line 1", path);
    cr_assert(strstr(err, want) != NULL, "the message must name the file and both lines: %s", err);
    cr_assert(pf.n == 0 && pf.tests == NULL, "nothing is kept from a refused file");
    path = write_tmp("l01/a\t1.1\t5\nl01/ab\t1.1\t5\nl02/a\t1.1\t5\n");
    cr_assert(points_read(path, &pf, err, sizeof err) == 0, "different tests are not duplicates: %s", err);
    cr_assert(pf.n == 3, "3 tests, got %d", pf.n);
    points_free(&pf);
    unlink(path);
}

// ---------------------------------------------------------------- Criterion's defects

TestSuite(criterion_quirks, .timeout = 10);

// Lesson tests are linked with -Wl,--wrap=exit,--wrap=_exit,--wrap=_Exit,
// --wrap=quick_exit (and so is this binary): otherwise a student's exit(0)
// makes the test pass. Each way out must become an abort.
Test(criterion_quirks, exit_zero_becomes_a_crash, .signal = SIGABRT) { exit(0); }
Test(criterion_quirks, underscore_exit_becomes_a_crash, .signal = SIGABRT) { _exit(0); }
Test(criterion_quirks, underscore_Exit_becomes_a_crash, .signal = SIGABRT) { _Exit(0); }
Test(criterion_quirks, quick_exit_becomes_a_crash, .signal = SIGABRT) { quick_exit(0); }

// gt(int, a, b) is true when a == b in Criterion 2.4.1, so tests write
// "a > b" as not(le(...)) or lt with the arguments swapped, and `make test`
// lints gt( out of every test file. This checks the replacement. The line
// below uses gt on purpose; lint: allow gt
Test(criterion_quirks, swapped_lt_is_a_strict_greater_than) {
    cr_assert(not(lt(int, 0, 0)), "lt(int, 0, 0) must be false: 0 > 0 is false");
    cr_assert(lt(int, 0, 1), "lt(int, 0, 1) must be true: 1 > 0");
    cr_assert(not(lt(int, 1, 0)), "lt(int, 1, 0) must be false: 0 > 1 is false");
    // The defect itself: if this ever fails, Criterion was fixed and the lint can go.
    cr_assert(gt(int, 0, 0), "Criterion's gt(int, 0, 0) is no longer true"); // lint: allow gt
}
