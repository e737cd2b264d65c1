// test_csvlog.c - the CSV log's content, flushing, and resuming.
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "train/csvlog.h"

TestSuite(csvlog, .timeout = 30);

static char *slurp(const char *path) {
    static char buf[4096];
    FILE *f = fopen(path, "r");
    cr_assert_not_null(f, "cannot read %s", path);
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    buf[n] = '\0';
    fclose(f);
    return buf;
}

Test(csvlog, writes_header_and_rows_flushed) {
    char path[] = "/tmp/test_csvlog_XXXXXX";
    close(mkstemp(path));
    CsvLog log;
    Error err;
    cr_assert_eq(csvlog_open(&log, path, "step,loss_d,loss_g", -1, &err), 0, "%s", err.msg);
    cr_assert_eq(csvlog_write(&log, (double[]){0, 1.5, 0.25}, &err), 0, "%s", err.msg);
    cr_assert_eq(csvlog_write(&log, (double[]){100, 0.6931472, -3}, &err), 0, "%s", err.msg);
    // read while still open: every row must already be on disk
    cr_assert_str_eq(slurp(path), "step,loss_d,loss_g\n0,1.5,0.25\n100,0.6931472,-3\n",
                     "log content before close");
    csvlog_close(&log);
    unlink(path);
}

Test(csvlog, resuming_drops_rows_after_the_checkpoint) {
    char path[] = "/tmp/test_csvlog_XXXXXX";
    close(mkstemp(path));
    CsvLog log;
    Error err;
    cr_assert_eq(csvlog_open(&log, path, "step,loss", -1, &err), 0, "%s", err.msg);
    for (int step = 0; step <= 40; step += 10) csvlog_write(&log, (double[]){step, step / 100.0}, &err);
    csvlog_close(&log);
    // the run is resumed from a checkpoint made at step 20
    cr_assert_eq(csvlog_open(&log, path, "step,loss", 20, &err), 0, "%s", err.msg);
    csvlog_write(&log, (double[]){30, 0.5}, &err);
    csvlog_close(&log);
    cr_assert_str_eq(slurp(path), "step,loss\n0,0\n10,0.1\n20,0.2\n30,0.5\n", "resumed log");

    // resuming with other columns is refused, and the log is left alone
    cr_assert_eq(csvlog_open(&log, path, "step,loss_d,loss_g", 20, &err), -1, "header mismatch");
    cr_assert(strstr(err.msg, path) && strstr(err.msg, "expected the header \"step,loss_d,loss_g\"") &&
                  strstr(err.msg, "found \"step,loss\""), "message: %s", err.msg);
    cr_assert_str_eq(slurp(path), "step,loss\n0,0\n10,0.1\n20,0.2\n30,0.5\n", "log untouched");

    // a fresh start replaces the file
    cr_assert_eq(csvlog_open(&log, path, "step,x", -1, &err), 0, "%s", err.msg);
    csvlog_close(&log);
    cr_assert_str_eq(slurp(path), "step,x\n", "fresh log");
    unlink(path);

    // resuming with no log yet starts one
    cr_assert_eq(csvlog_open(&log, path, "step,x", 5, &err), 0, "%s", err.msg);
    csvlog_close(&log);
    cr_assert_str_eq(slurp(path), "step,x\n", "resume without a log starts one");
    unlink(path);
}

Test(csvlog, unwritable_path_is_an_error) {
    CsvLog log;
    Error err;
    cr_assert_eq(csvlog_open(&log, "/no/such/dir/log.csv", "step", -1, &err), -1, "must fail");
    cr_assert(strstr(err.msg, "/no/such/dir/log.csv: cannot open"), "message: %s", err.msg);
}

Test(csvlog, running_means_between_rows) {
    char path[] = "/tmp/test_csvlog_XXXXXX";
    close(mkstemp(path));
    CsvLog log;
    Error err;
    cr_assert_eq(csvlog_open(&log, path, "step,loss_d,loss_g", -1, &err), 0, "%s", err.msg);
    cr_assert_eq(csvlog_write_means(&log, 5, &err), 0, "%s", err.msg);   // nothing added: no row
    csvlog_add(&log, (double[]){1.0, 4.0});
    csvlog_add(&log, (double[]){2.0, 2.0});
    csvlog_add(&log, (double[]){6.0, 0.0});
    cr_assert_eq(csvlog_write_means(&log, 3, &err), 0, "%s", err.msg);
    csvlog_add(&log, (double[]){0.5, -1.0});   // the means start over after a row
    cr_assert_eq(csvlog_write_means(&log, 4, &err), 0, "%s", err.msg);
    cr_assert_str_eq(slurp(path), "step,loss_d,loss_g\n3,3,2\n4,0.5,-1\n", "rows of means");
    csvlog_close(&log);
    unlink(path);
}
