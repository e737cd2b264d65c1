// test_run.c - what a program writes: nested folders, and the list of its
// files printed at the end.
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "train/run.h"

TestSuite(run, .timeout = 30);

static int is_dir(const char *path) {
    struct stat st;
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

Test(run, mkdir_makes_nested_folders) {
    char dir[] = "/tmp/test_run_XXXXXX", path[128];
    cr_assert_not_null(mkdtemp(dir), "mkdtemp");
    Error err = {{0}};
    snprintf(path, sizeof path, "%s/a/b/c", dir);
    cr_assert_eq(run_mkdir(path, &err), 0, "%s", err.msg);
    cr_assert(is_dir(path), "%s was not made", path);
    cr_assert_eq(run_mkdir(path, &err), 0, "an existing folder is fine: %s", err.msg);
    snprintf(path, sizeof path, "%s/a/file", dir);
    FILE *f = fopen(path, "w");
    cr_assert_not_null(f, "cannot write %s", path);
    fclose(f);
    cr_assert_eq(run_mkdir(path, &err), -1, "a file is not a folder");
    cr_assert(strstr(err.msg, path) && strstr(err.msg, "expected a folder"), "message: %s", err.msg);
    snprintf(path, sizeof path, "%s/a/file/below", dir);
    cr_assert_eq(run_mkdir(path, &err), -1, "no folder below a file");
    cr_assert(strstr(err.msg, "cannot create the folder"), "message: %s", err.msg);
    cr_assert_eq(run_mkdir("", &err), -1, "an empty name is refused");
    char cmd[160];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    cr_assert_eq(system(cmd), 0, "clean up");
}

Test(run, outputs_are_listed_once_in_order) {
    char out[] = "/tmp/test_run_out_XXXXXX";
    close(mkstemp(out));
    cr_assert_not_null(freopen(out, "w", stdout), "redirect stdout");
    static Outputs o;
    outputs_init(&o);
    outputs_add(&o, "runs/x/config.txt");
    outputs_add(&o, "runs/x/loss.png");
    outputs_add(&o, "runs/x/config.txt");   // rewritten: listed once
    outputs_add(NULL, "ignored");
    cr_assert_eq(o.n, 2, "two files, found %d", o.n);
    outputs_print(&o, 0);
    for (int i = 0; i < OUTPUTS_MAX + 3; i++) {
        char path[32];
        snprintf(path, sizeof path, "f%d", i);
        outputs_add(&o, path);
    }
    cr_assert_eq(o.n, OUTPUTS_MAX, "the list is cut at OUTPUTS_MAX");
    outputs_print(&o, 1);
    fflush(stdout);
    FILE *f = fopen(out, "r");
    cr_assert_not_null(f, "cannot read back stdout");
    static char text[65536];
    text[fread(text, 1, sizeof text - 1, f)] = '\0';
    fclose(f);
    cr_assert(strstr(text, "\nStopped after 0 s. Wrote:\n  runs/x/config.txt\n  runs/x/loss.png\n\n"),
              "the first list:\n%.300s", text);
    cr_assert(strstr(text, "\nDone after 0 s. Wrote:\n  runs/x/config.txt\n"), "the second list");
    cr_assert(strstr(text, "  (and 5 more files)\n"), "what was cut is counted");
    unlink(out);
}
