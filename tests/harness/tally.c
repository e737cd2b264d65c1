// tally.c - the last line of `make test`: "N passed, N failed".
//
//   tally [--xml REPORT]... [--counts FILE]...
//
// Sums Criterion's JUnit reports (one count per test case; a missing report,
// i.e. a test binary that died or was killed, counts as one failure) and the
// count files the other checks write ("passed failed label" on one line).
// Exits 1 if anything failed.
#include <stdio.h>
#include <string.h>

#include "junit.h"

int main(int argc, char **argv) {
    long passed = 0, failed = 0;
    for (int i = 1; i + 1 < argc; i += 2) {
        const char *path = argv[i + 1];
        long p = 0, f = 0;
        char label[256] = "";
        if (!strcmp(argv[i], "--xml")) {
            JunitReport rep;
            if (junit_read(path, &rep) != 0) {
                f = 1;
                snprintf(label, sizeof label, "%s: no report (the test binary did not run to the end)", path);
            } else {
                for (int k = 0; k < rep.n; k++) {
                    if (!strcmp(rep.cases[k].status, "PASSED")) p++;
                    else f++;
                }
                snprintf(label, sizeof label, "%s", path);
                junit_free(&rep);
            }
        } else if (!strcmp(argv[i], "--counts")) {
            FILE *cf = fopen(path, "r");
            if (!cf || fscanf(cf, "%ld %ld %255[^\n]", &p, &f, label) < 2) {
                p = 0;
                f = 1;
                snprintf(label, sizeof label, "%s: missing (that check did not run to the end)", path);
            }
            if (cf) fclose(cf);
        } else {
            fprintf(stderr, "tally: unknown option %s\n", argv[i]);
            return 2;
        }
        printf("  %5ld passed %5ld failed   %s\n", p, f, label);
        passed += p;
        failed += f;
    }
    printf("%ld passed, %ld failed\n", passed, failed);
    return failed ? 1 : 0;
}
