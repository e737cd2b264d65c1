// grade.c - runs lessons' Criterion tests and scores them with points.tsv.
//
//   grade [--mode grade|check|stubs|solutions] [--out DIR] [--timeout S] [--jobs N]
//         [--counts FILE] UNIT...
//   UNIT: --lesson NAME --points FILE [--bin TEST_BINARY] [--build-status N]
//         [--build-log FILE] [--xml-in REPORT] [--visibility V] [--private] [--src FILE]...
//
// Modes:
//   grade      the instructor's table, Score: a/b, DIR/results.json (Gradescope),
//              DIR/junit.xml; exits 0 whatever the score, 2 if grading broke
//   check      the student's view: one PASS/FAIL line per exercise, then the score
//   stubs      every graded test must FAIL (on the untouched stubs), and every
//              BEGIN EXERCISE marker in the --src files must have a graded test
//   solutions  every graded test must be PASSED in the --xml-in report
// stubs and solutions exit 1 on a violation, naming the test.
//
// A lesson that did not compile (--build-status non-zero or no binary) scores 0
// with a "compilation" entry holding the compiler's output. The test binary
// runs once for every test (Criterion forks one process per test, so a crash
// fails that test only) under a wall-clock limit; each graded test that did
// not pass then runs alone, to capture what it printed (the report only says
// "The test crashed."). If the whole run died (no report), every graded test
// runs alone.
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "json.h"
#include "junit.h"
#include "points.h"
#include "proc.h"

#define MAX_UNITS 64
#define MAX_SRCS 32
#define OUTPUT_CAP 8000 // bytes of a test's output kept in results.json

typedef enum { MODE_GRADE, MODE_CHECK, MODE_STUBS, MODE_SOLUTIONS } Mode;

typedef struct {
    const char *lesson, *points_path, *bin, *build_log, *xml_in, *visibility;
    int build_status, is_private, nsrc;
    const char *src[MAX_SRCS];
    PointsFile pf;
    int compiled;
    char *compile_output;
} Unit;

typedef struct {
    const Unit *unit;
    const GradedTest *test;
    int passed;
    char *summary; // one line: why it failed
    char *output;  // everything known about the failure
} Result;

typedef struct {
    Mode mode;
    const char *out_dir, *counts_path;
    double timeout_s;
    int jobs;
    Unit units[MAX_UNITS];
    int nunits;
} Options;

// ---------------------------------------------------------------- small helpers

static void die_usage(const char *why) {
    fprintf(stderr, "grade: %s\n(see the comment at the top of tests/harness/grade.c)\n", why);
    exit(2);
}

static char *read_text(const char *path) {
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    size_t cap = 4096, len = 0, got;
    char *s = malloc(cap);
    while ((got = fread(s + len, 1, cap - len - 1, f)) > 0) {
        len += got;
        if (len + 1 == cap) s = realloc(s, cap *= 2);
    }
    fclose(f);
    s[len] = '\0';
    return s;
}

static char *dup_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static char *dup_printf(const char *fmt, ...) {
    va_list ap, ap2;
    va_start(ap, fmt);
    va_copy(ap2, ap);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    char *s = malloc((size_t)n + 1);
    vsnprintf(s, (size_t)n + 1, fmt, ap2);
    va_end(ap2);
    return s;
}

static int mkdirs(const char *path) {
    char buf[1024];
    snprintf(buf, sizeof buf, "%s", path);
    for (char *p = buf + 1; *p; p++)
        if (*p == '/') {
            *p = '\0';
            if (mkdir(buf, 0755) != 0 && errno != EEXIST) return -1;
            *p = '/';
        }
    return mkdir(buf, 0755) != 0 && errno != EEXIST ? -1 : 0;
}

// "01_gan_losses" -> 1
static int lesson_number(const char *lesson) { return atoi(lesson); }

// A unit's report/log file name: the lesson, "-private" for private tests.
static char *unit_file(const Options *o, const Unit *u, const char *sub, const char *ext) {
    return dup_printf("%s/%s/%s%s%s", o->out_dir, sub, u->lesson, u->is_private ? "-private" : "", ext);
}

// Lines Criterion itself prints start with "[----]", "[FAIL]", "[====]"...
static int is_criterion_line(const char *line) {
    return line[0] == '[' && strlen(line) > 6 && line[5] == ']';
}

// The first line of text the test's own code printed (stderr of the student's
// function: "exercise 1.2 is not done yet...", "exit(0) was called..."), or NULL.
static char *first_own_line(const char *log) {
    for (const char *p = log; p && *p;) {
        const char *nl = strchr(p, '\n');
        size_t n = nl ? (size_t)(nl - p) : strlen(p);
        if (n > 0 && !is_criterion_line(p)) return dup_printf("%.*s", (int)n, p);
        p = nl ? nl + 1 : NULL;
    }
    return NULL;
}

static char *first_line(const char *s) {
    while (*s == '\n' || *s == ' ') s++;
    return dup_printf("%.*s", (int)strcspn(s, "\n"), s);
}

// ---------------------------------------------------------------- running tests

// Runs the whole test binary once; fills rep (empty if the run left no report).
static void run_all(const Options *o, Unit *u, JunitReport *rep) {
    char *xml = unit_file(o, u, "criterion", ".xml");
    char *log = unit_file(o, u, "logs", ".log");
    char *xml_flag = dup_printf("--xml=%s", xml);
    char *jobs_flag = dup_printf("--jobs=%d", o->jobs);
    char *argv[] = {(char *)u->bin, jobs_flag, xml_flag, NULL};
    unlink(xml);
    ProcResult r = proc_run(argv, log, o->timeout_s);
    char *text = read_text(log);
    // Criterion's closing line, so the run stays visible in the terminal.
    const char *synth = text ? strstr(text, "[====] Synthesis:") : NULL;
    if (o->mode != MODE_CHECK) {
        if (synth)
            fprintf(stderr, "%s%s: %.*s\n", u->lesson, u->is_private ? " (private)" : "",
                    (int)strcspn(synth, "\n"), synth);
        else
            fprintf(stderr, "%s%s: the test binary %s (log: %s)\n", u->lesson,
                    u->is_private ? " (private)" : "",
                    r.outcome == PROC_TIMED_OUT ? "timed out" : "ended without a summary", log);
    }
    if (junit_read(xml, rep) != 0) rep->n = 0;
    free(text);
    free(xml);
    free(log);
    free(xml_flag);
    free(jobs_flag);
}

// Runs one test alone; returns what it printed and sets *status (PASSED,
// FAILED, ERRORED, TIMEOUT) and *message (from its report).
static char *run_one(const Options *o, const Unit *u, const GradedTest *t, char *status,
                     char **message) {
    char *dir = dup_printf("%s/logs/%s%s", o->out_dir, u->lesson, u->is_private ? "-private" : "");
    mkdirs(dir);
    char *log = dup_printf("%s/%s.%s.log", dir, t->suite, t->name);
    char *xml = dup_printf("%s/%s.%s.xml", dir, t->suite, t->name);
    char *filter = dup_printf("--filter=%s/%s", t->suite, t->name);
    char *xml_flag = dup_printf("--xml=%s", xml);
    char *argv[] = {(char *)u->bin, "--jobs=1", filter, xml_flag, NULL};
    unlink(xml);
    ProcResult r = proc_run(argv, log, o->timeout_s);
    char *text = read_text(log);
    if (!text) text = dup_printf("(no output)");
    JunitReport rep;
    const JunitCase *c = NULL;
    if (junit_read(xml, &rep) == 0) c = junit_find(&rep, t->suite, t->name);
    *message = NULL;
    if (r.outcome == PROC_TIMED_OUT) {
        strcpy(status, "TIMEOUT");
        *message = dup_printf("timed out: killed after %.0f s", o->timeout_s);
    } else if (c) {
        snprintf(status, 16, "%s", c->status);
        *message = dup_printf("%s", c->message);
    } else if (rep.n > 0 || strstr(text, "Tested: 0")) {
        strcpy(status, "MISSING");
    } else {
        strcpy(status, "ERRORED");
        *message = dup_printf("the test binary died (%s %d) before reporting",
                              r.outcome == PROC_SIGNALED ? "signal" : "exit status", r.code);
    }
    junit_free(&rep);
    free(dir); free(log); free(xml); free(filter); free(xml_flag);
    return text;
}

static const char *describe_status(const char *status) {
    if (!strcmp(status, "FAILED")) return "failed";
    if (!strcmp(status, "ERRORED")) return "crashed";
    if (!strcmp(status, "TIMEOUT")) return "timed out";
    if (!strcmp(status, "SKIPPED")) return "was skipped";
    if (!strcmp(status, "MISSING")) return "does not exist in the test binary (misspelled in points.tsv?)";
    return status;
}

// Fills results[] for one unit's graded tests.
static void grade_unit(const Options *o, Unit *u, Result *res) {
    if (!u->compiled) {
        for (int i = 0; i < u->pf.n; i++) {
            res[i].passed = 0;
            res[i].summary = dup_printf("%s did not compile", u->lesson);
            res[i].output = dup_printf("not run: %s did not compile; see the compilation entry",
                                       u->lesson);
        }
        return;
    }
    JunitReport rep = {0};
    if (u->xml_in) {
        if (junit_read(u->xml_in, &rep) != 0) rep.n = 0;
    } else {
        run_all(o, u, &rep);
    }
    for (int i = 0; i < u->pf.n; i++) {
        const GradedTest *t = &u->pf.tests[i];
        const JunitCase *c = junit_find(&rep, t->suite, t->name);
        res[i].passed = c && !strcmp(c->status, "PASSED");
        if (res[i].passed) {
            res[i].summary = dup_printf("passed");
            res[i].output = dup_printf("passed");
            continue;
        }
        char status[16];
        char *message = NULL, *log = NULL;
        if (o->mode == MODE_STUBS || o->mode == MODE_SOLUTIONS) {
            // Only pass/fail matters here; no need to rerun.
            snprintf(status, sizeof status, "%s", c ? c->status : (rep.n ? "MISSING" : "ERRORED"));
            message = dup_printf("%s", c ? c->message : "");
            log = dup_printf("%s", "");
        } else {
            log = run_one(o, u, t, status, &message);
            if (!c && !strcmp(status, "PASSED")) {
                // The full run died before reporting, and this test passes on its own.
                res[i].passed = 1;
                res[i].summary = dup_printf("passed");
                res[i].output = dup_printf("passed (run alone: the run of all tests did not finish)");
                free(message);
                free(log);
                continue;
            }
            if (c) snprintf(status, sizeof status, "%s", c->status); // the full run's verdict
            if (c && c->message[0]) {
                free(message);
                message = dup_printf("%s", c->message);
            }
            if (!message) message = dup_printf("%s", "");
        }
        char *own = first_own_line(log);
        int timed_out = !strcmp(status, "TIMEOUT") || strstr(message, "timed out");
        const char *verdict = timed_out ? "timed out" : describe_status(status);
        char *why = message[0] && !strcmp(status, "FAILED") ? first_line(message)
                                                            : dup_printf("%s", verdict);
        // "[----] test.c:12: Unexpected signal caught below this line!": where it crashed.
        const char *signal_at = strstr(log, ": Unexpected signal caught below this line");
        if (!own && signal_at && !timed_out) {
            const char *line = signal_at;
            while (line > log && line[-1] != '\n') line--;
            if (is_criterion_line(line)) line += 7;
            free(why);
            why = dup_printf("crashed after %.*s", (int)(signal_at - line), line);
        }
        // A crash says more through what the code printed than "The test crashed."
        res[i].summary = own && strcmp(status, "FAILED") ? dup_printf("%s (the test %s)", own, verdict)
                                                         : dup_printf("%s", why);
        res[i].output = dup_printf("%s/%s %s\n%s%s%s%s", t->suite, t->name, verdict,
                                   message, message[0] ? "\n" : "",
                                   log[0] ? "--- output of the test run alone ---\n" : "", log);
        free(own); free(why); free(message); free(log);
    }
    junit_free(&rep);
}

// ---------------------------------------------------------------- reports

typedef struct {
    char exercise[32];
    double got, max;
    const Result *first_failure;
} ExerciseScore;

// Sums a unit's results per exercise, in points.tsv order.
static int exercise_scores(const Unit *u, const Result *res, ExerciseScore *ex) {
    int n = 0;
    for (int i = 0; i < u->pf.n; i++) {
        int k = 0;
        while (k < n && strcmp(ex[k].exercise, u->pf.tests[i].exercise)) k++;
        if (k == n) {
            memset(&ex[n], 0, sizeof ex[n]);
            snprintf(ex[n].exercise, sizeof ex[n].exercise, "%s", u->pf.tests[i].exercise);
            n++;
        }
        ex[k].max += u->pf.tests[i].points;
        if (res[i].passed) ex[k].got += u->pf.tests[i].points;
        else if (!ex[k].first_failure) ex[k].first_failure = &res[i];
    }
    return n;
}

// Appends the instructor's table to f (the terminal and results.json's output).
static void print_table(FILE *f, const Options *o, Result **res, double *got, double *max) {
    *got = *max = 0;
    for (int k = 0; k < o->nunits; k++) {
        const Unit *u = &o->units[k];
        ExerciseScore ex[256];
        int n = exercise_scores(u, res[k], ex);
        fprintf(f, "%s%s\n", u->lesson, u->is_private ? " (private tests)" : "");
        if (!u->compiled) fprintf(f, "  compilation: FAILED (every exercise scores 0)\n");
        for (int e = 0; e < n; e++) {
            char label[64];
            snprintf(label, sizeof label, "exercise %.31s ", ex[e].exercise);
            fprintf(f, "  %s", label);
            for (int d = (int)strlen(label); d < 44; d++) fputc('.', f);
            fprintf(f, " %g/%g", ex[e].got, ex[e].max);
            if (ex[e].first_failure && u->compiled)
                fprintf(f, "   %s/%s: %s", ex[e].first_failure->test->suite,
                        ex[e].first_failure->test->name, ex[e].first_failure->summary);
            fputc('\n', f);
            *got += ex[e].got;
            *max += ex[e].max;
        }
    }
    fprintf(f, "Score: %g/%g\n", *got, *max);
}

static const char *test_visibility(const Unit *u, const GradedTest *t) {
    if (t->visibility[0]) return t->visibility;
    return u->visibility ? u->visibility : "visible";
}

static int write_results_json(const Options *o, Result **res, double got, const char *table,
                              double seconds) {
    char *path = dup_printf("%s/results.json", o->out_dir);
    char *tmp = dup_printf("%s.tmp", path);
    FILE *f = fopen(tmp, "w");
    if (!f) {
        fprintf(stderr, "grade: cannot write %s\n", tmp);
        return -1;
    }
    fprintf(f, "{\n  \"score\": %g,\n  \"execution_time\": %d,\n  \"output\": ", got, (int)(seconds + 0.5));
    json_string(f, table, 0);
    fprintf(f, ",\n  \"tests\": [");
    int first = 1;
    for (int k = 0; k < o->nunits; k++) {
        const Unit *u = &o->units[k];
        const char *tag = u->is_private ? " (private)" : "";
        if (!u->compiled) {
            char *name = dup_printf("%s%s: compilation", u->lesson, tag);
            char *number = dup_printf("%d.0", lesson_number(u->lesson));
            fprintf(f, "%s\n    {\"name\": ", first ? "" : ",");
            json_string(f, name, 0);
            fprintf(f, ", \"number\": ");
            json_string(f, number, 0);
            fprintf(f, ", \"score\": 0, \"max_score\": 0, \"status\": \"failed\", \"output\": ");
            json_string(f, u->compile_output ? u->compile_output : "", OUTPUT_CAP);
            fprintf(f, ", \"visibility\": \"visible\"}");
            first = 0;
            free(name);
            free(number);
        }
        for (int i = 0; i < u->pf.n; i++) {
            const GradedTest *t = &u->pf.tests[i];
            char *name = dup_printf("%s%s: exercise %s: %s/%s", u->lesson, tag, t->exercise,
                                    t->suite, t->name);
            fprintf(f, "%s\n    {\"name\": ", first ? "" : ",");
            json_string(f, name, 0);
            fprintf(f, ", \"number\": ");
            json_string(f, t->exercise, 0);
            fprintf(f, ", \"score\": %g, \"max_score\": %g, \"status\": \"%s\", \"output\": ",
                    res[k][i].passed ? t->points : 0.0, t->points,
                    res[k][i].passed ? "passed" : "failed");
            json_string(f, res[k][i].output, OUTPUT_CAP);
            fprintf(f, ", \"visibility\": ");
            json_string(f, test_visibility(u, t), 0);
            fputc('}', f);
            first = 0;
            free(name);
        }
    }
    fprintf(f, "\n  ]\n}\n");
    int bad = ferror(f);
    bad |= fclose(f) != 0;
    bad |= !bad && rename(tmp, path) != 0;
    if (bad) fprintf(stderr, "grade: cannot write %s\n", path);
    else fprintf(stderr, "grade: wrote %s\n", path);
    free(tmp);
    free(path);
    return bad ? -1 : 0;
}

static int write_junit(const Options *o, Result **res) {
    char *path = dup_printf("%s/junit.xml", o->out_dir);
    FILE *f = fopen(path, "w");
    if (!f) {
        fprintf(stderr, "grade: cannot write %s\n", path);
        return -1;
    }
    fprintf(f, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"grade\">\n");
    for (int k = 0; k < o->nunits; k++) {
        const Unit *u = &o->units[k];
        int failures = 0;
        for (int i = 0; i < u->pf.n; i++) failures += !res[k][i].passed;
        fprintf(f, "  <testsuite name=\"%s%s\" tests=\"%d\" failures=\"%d\">\n", u->lesson,
                u->is_private ? "-private" : "", u->pf.n + !u->compiled, failures + !u->compiled);
        if (!u->compiled) {
            fprintf(f, "    <testcase classname=\"%s\" name=\"compilation\">\n      <failure message=\"did not compile\">",
                    u->lesson);
            xml_text(f, u->compile_output ? u->compile_output : "", OUTPUT_CAP);
            fprintf(f, "</failure>\n    </testcase>\n");
        }
        for (int i = 0; i < u->pf.n; i++) {
            const GradedTest *t = &u->pf.tests[i];
            fprintf(f, "    <testcase classname=\"%s.%s\" name=\"%s\" exercise=\"", u->lesson, t->suite, t->name);
            xml_text(f, t->exercise, 0);
            fprintf(f, "\" points=\"%g\">", t->points);
            if (!res[k][i].passed) {
                fprintf(f, "\n      <failure message=\"");
                xml_text(f, res[k][i].summary, 400);
                fprintf(f, "\">");
                xml_text(f, res[k][i].output, OUTPUT_CAP);
                fprintf(f, "</failure>\n    ");
            }
            fprintf(f, "</testcase>\n");
        }
        fprintf(f, "  </testsuite>\n");
    }
    fprintf(f, "</testsuites>\n");
    int bad = fclose(f) != 0;
    free(path);
    return bad ? -1 : 0;
}

// The student's view: one line per exercise.
static void print_check(const Options *o, Result **res) {
    double got = 0, max = 0;
    for (int k = 0; k < o->nunits; k++) {
        const Unit *u = &o->units[k];
        ExerciseScore ex[256];
        int n = exercise_scores(u, res[k], ex);
        printf("%s%s\n", u->lesson, u->is_private ? " (private tests)" : "");
        if (!u->compiled) printf("  your code does not compile: the compiler's messages are above\n");
        for (int e = 0; e < n; e++) {
            int pass = ex[e].got == ex[e].max;
            printf("  %s  exercise %-6s %g/%g", pass ? "PASS" : "FAIL", ex[e].exercise, ex[e].got, ex[e].max);
            if (!pass && u->compiled)
                printf("  %s/%s: %s", ex[e].first_failure->test->suite, ex[e].first_failure->test->name,
                       ex[e].first_failure->summary);
            putchar('\n');
            got += ex[e].got;
            max += ex[e].max;
        }
    }
    printf("Score: %g/%g\n", got, max);
}

// ---------------------------------------------------------------- honesty checks

// Exercise ids of "BEGIN EXERCISE <id>" markers in a file, appended to ids.
static int marker_ids(const char *path, char ids[][32], int n, int cap) {
    char *text = read_text(path);
    if (!text) return n;
    for (const char *p = strstr(text, "BEGIN EXERCISE "); p && n < cap;
         p = strstr(p + 1, "BEGIN EXERCISE ")) {
        p += strlen("BEGIN EXERCISE ");
        int len = (int)strcspn(p, " \t\r\n*");
        snprintf(ids[n++], 32, "%.*s", len, p);
    }
    free(text);
    return n;
}

// Returns the number of violations; prints one line per check.
static int honesty(const Options *o, Result **res, int *checks) {
    int bad = 0;
    *checks = 0;
    for (int k = 0; k < o->nunits; k++) {
        const Unit *u = &o->units[k];
        if (o->mode == MODE_STUBS && !u->compiled) {
            (*checks)++;
            printf("stub-check FAIL %s: the untouched stubs do not compile\n", u->lesson);
            bad++;
        }
        for (int i = 0; i < u->pf.n && u->compiled; i++) {
            const GradedTest *t = &u->pf.tests[i];
            (*checks)++;
            if (o->mode == MODE_STUBS && res[k][i].passed) {
                printf("stub-check FAIL %s %s/%s (exercise %s): passes on the untouched stub, so it grades nothing\n",
                       u->lesson, t->suite, t->name, t->exercise);
                bad++;
            } else if (o->mode == MODE_SOLUTIONS && !res[k][i].passed) {
                printf("solution-check FAIL %s %s/%s (exercise %s): %s\n", u->lesson, t->suite,
                       t->name, t->exercise, res[k][i].summary);
                bad++;
            }
        }
        if (o->mode != MODE_STUBS) continue;
        char ids[256][32];
        int n = 0;
        for (int s = 0; s < u->nsrc; s++) n = marker_ids(u->src[s], ids, n, 256);
        for (int m = 0; m < n; m++) {
            int graded = 0;
            for (int i = 0; i < u->pf.n; i++) graded |= !strcmp(u->pf.tests[i].exercise, ids[m]);
            (*checks)++;
            if (!graded) {
                printf("stub-check FAIL %s exercise %s: no graded test in points.tsv\n", u->lesson, ids[m]);
                bad++;
            }
        }
        for (int i = 0; i < u->pf.n && u->nsrc; i++) {
            int found = 0;
            for (int m = 0; m < n; m++) found |= !strcmp(u->pf.tests[i].exercise, ids[m]);
            (*checks)++;
            if (!found) {
                printf("stub-check FAIL %s %s/%s: exercise %s has no BEGIN EXERCISE marker\n",
                       u->lesson, u->pf.tests[i].suite, u->pf.tests[i].name, u->pf.tests[i].exercise);
                bad++;
            }
        }
    }
    printf("%s: %d checks, %d failed\n", o->mode == MODE_STUBS ? "stub-check" : "solution-check",
           *checks, bad);
    return bad;
}

// ---------------------------------------------------------------- main

static Options parse_args(int argc, char **argv) {
    Options o;
    memset(&o, 0, sizeof o);
    o.mode = MODE_GRADE;
    o.out_dir = "build/grade";
    o.timeout_s = 300;
    o.jobs = 2;
    Unit *u = NULL;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        int takes = 1;
        if (!strcmp(a, "--private")) {
            if (!u) die_usage("--private before --lesson");
            u->is_private = 1;
            continue;
        }
        if (!v) die_usage("an option is missing its value");
        if (!strcmp(a, "--mode")) {
            if (!strcmp(v, "grade")) o.mode = MODE_GRADE;
            else if (!strcmp(v, "check")) o.mode = MODE_CHECK;
            else if (!strcmp(v, "stubs")) o.mode = MODE_STUBS;
            else if (!strcmp(v, "solutions")) o.mode = MODE_SOLUTIONS;
            else die_usage("--mode is grade, check, stubs or solutions");
        } else if (!strcmp(a, "--out")) o.out_dir = v;
        else if (!strcmp(a, "--counts")) o.counts_path = v;
        else if (!strcmp(a, "--timeout")) o.timeout_s = atof(v);
        else if (!strcmp(a, "--jobs")) o.jobs = atoi(v) > 0 ? atoi(v) : 1;
        else if (!strcmp(a, "--lesson")) {
            if (o.nunits == MAX_UNITS) die_usage("too many lessons");
            u = &o.units[o.nunits++];
            u->lesson = v;
        } else {
            if (!u) die_usage("a lesson option before --lesson");
            if (!strcmp(a, "--points")) u->points_path = v;
            else if (!strcmp(a, "--bin")) u->bin = v;
            else if (!strcmp(a, "--build-status")) u->build_status = atoi(v);
            else if (!strcmp(a, "--build-log")) u->build_log = v;
            else if (!strcmp(a, "--xml-in")) u->xml_in = v;
            else if (!strcmp(a, "--visibility")) u->visibility = v;
            else if (!strcmp(a, "--src")) {
                if (u->nsrc == MAX_SRCS) die_usage("too many --src");
                u->src[u->nsrc++] = v;
            } else die_usage(dup_printf("unknown option %s", a));
        }
        i += takes;
    }
    return o;
}

int main(int argc, char **argv) {
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    Options o = parse_args(argc, argv);
    if (mkdirs(o.out_dir) || (o.mode != MODE_SOLUTIONS && (mkdirs(dup_printf("%s/logs", o.out_dir)) ||
                                                          mkdirs(dup_printf("%s/criterion", o.out_dir))))) {
        fprintf(stderr, "grade: cannot create %s\n", o.out_dir);
        return 2;
    }
    int broke = 0;
    char broke_why[600] = "";
    Result *res[MAX_UNITS];
    for (int k = 0; k < o.nunits; k++) {
        Unit *u = &o.units[k];
        char err[600];
        if (!u->points_path || points_read(u->points_path, &u->pf, err, sizeof err) != 0) {
            snprintf(broke_why, sizeof broke_why, "%s", u->points_path ? err : "a --lesson without --points");
            fprintf(stderr, "grade: %s\n", broke_why);
            u->pf.n = 0;
            broke = 1;
        }
        if (u->visibility && !visibility_valid(u->visibility)) die_usage("bad --visibility");
        u->compiled = u->build_status == 0 && (u->xml_in || (u->bin && access(u->bin, X_OK) == 0));
        if (!u->compiled) {
            char *log = u->build_log ? read_text(u->build_log) : NULL;
            u->compile_output = log ? log : dup_printf("the test binary %s was not built", u->bin ? u->bin : "");
        }
        res[k] = calloc((size_t)u->pf.n + 1, sizeof(Result));
        for (int i = 0; i < u->pf.n; i++) {
            res[k][i].unit = u;
            res[k][i].test = &u->pf.tests[i];
        }
        grade_unit(&o, u, res[k]);
    }
    int status = broke ? 2 : 0;
    if (o.mode == MODE_STUBS || o.mode == MODE_SOLUTIONS) {
        int checks, bad = honesty(&o, res, &checks);
        if (o.counts_path) {
            FILE *f = fopen(o.counts_path, "w");
            if (f) {
                fprintf(f, "%d %d %s\n", checks - bad, bad,
                        o.mode == MODE_STUBS ? "stub check (graded tests fail on the stubs)"
                                             : "graded tests exist and pass on solutions/");
                fclose(f);
            }
        }
        if (bad && !broke) status = 1;
    } else if (o.mode == MODE_CHECK) {
        print_check(&o, res);
    } else {
        char *table = NULL;
        size_t len = 0;
        FILE *mem = open_memstream(&table, &len);
        double got, max;
        print_table(mem, &o, res, &got, &max);
        if (broke) fprintf(mem, "grading failed: %s\n", broke_why);
        fclose(mem);
        fputs(table, stdout);
        fflush(stdout);
        clock_gettime(CLOCK_MONOTONIC, &t1);
        double seconds = (double)(t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) * 1e-9;
        if (write_results_json(&o, res, got, table, seconds) || write_junit(&o, res)) status = 2;
        free(table);
    }
    return status;
}
