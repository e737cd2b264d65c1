// junit.h - reads the JUnit XML report that Criterion writes with --xml.
//
// Criterion 2.4.1's reports are not always well-formed (only the first line of
// a multi-line assertion message sits in CDATA, the rest is written raw), and
// a killed runner leaves a truncated file, so this is a forgiving scanner for
// the few things grading needs, not an XML parser: each <testcase>'s suite,
// name and status, and the text of its <failure>/<error>.
#ifndef HARNESS_JUNIT_H
#define HARNESS_JUNIT_H

typedef struct {
    char suite[128];
    char name[128];
    char status[16]; // PASSED, FAILED, ERRORED, SKIPPED; ERRORED if absent
    char *message;   // assertion messages or "crash"/"timeout" text; "" if none
} JunitCase;

typedef struct {
    JunitCase *cases;
    int n;
} JunitReport;

// Scans text; returns 0 if it looks like a Criterion report (a <testsuites>
// element), -1 otherwise. A truncated report yields the test cases it holds.
int junit_parse(const char *text, JunitReport *rep);
// Reads and scans a file; -1 if it cannot be read or is not a report.
int junit_read(const char *path, JunitReport *rep);
// The case named suite/name, or NULL.
const JunitCase *junit_find(const JunitReport *rep, const char *suite, const char *name);
void junit_free(JunitReport *rep);

#endif
