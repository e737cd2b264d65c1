// test_progress.c - the progress line's format and its throttling when the
// output is not a terminal.
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "train/progress.h"

TestSuite(progress, .timeout = 30);

Test(progress, durations) {
    const struct { double s; const char *want; } cases[] = {
        {0, "0s"}, {12.4, "12s"}, {59.6, "1m00s"}, {151, "2m31s"}, {3840, "1h04m"}, {-5, "0s"}};
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        char buf[32];
        progress_format_duration(buf, sizeof buf, cases[i].s);
        cr_assert_str_eq(buf, cases[i].want, "%g seconds", cases[i].s);
    }
}

Test(progress, plain_lines_when_not_a_terminal) {
    char *text = NULL;
    size_t size = 0;
    FILE *f = open_memstream(&text, &size);
    Progress p;
    progress_init(&p, f, 0, 5000, 64, 1000.0);
    progress_update(&p, 1, "D %.3f  G %.3f", 0.612, 1.873);
    progress_update(&p, 2, "D %.3f  G %.3f", 0.5, 1.5);   // within every_seconds: not shown
    progress_update(&p, 5000, "D %.3f  G %.3f", 0.4, 1.2);   // the last step always is
    progress_done(&p);
    fclose(f);
    cr_assert(strncmp(text, "step 1/5000    0%  D 0.612  G 1.873", 35) == 0, "first line: %s", text);
    cr_assert(strstr(text, "ETA ") != NULL, "an ETA is shown: %s", text);
    cr_assert(strstr(text, "D 0.500") == NULL, "the second update is throttled: %s", text);
    cr_assert(strstr(text, "step 5000/5000  100%  D 0.400  G 1.200") != NULL, "last line: %s", text);
    cr_assert(strstr(text, "took ") != NULL, "the last line says how long it took: %s", text);
    cr_assert(strchr(text, '\r') == NULL, "no carriage returns in a file");
    int lines = 0;
    for (char *c = text; *c; c++) lines += *c == '\n';
    cr_assert_eq(lines, 2, "two lines, got %d:\n%s", lines, text);
    free(text);
}
