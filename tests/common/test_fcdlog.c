// test_fcdlog.c - FCD over a training run: eval.csv's rows, the untrained
// G's value, and a resumed run reading both back. Runs on Fashion-MNIST with
// an untrained classifier (its FCDs mean nothing; the bookkeeping is tested).
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "eval/fcdlog.h"

#define FASHION "/usr/share/datasets/fashion-mnist"

TestSuite(fcdlog, .timeout = 120);

static char *slurp(const char *path) {
    static char buf[4096];
    FILE *f = fopen(path, "r");
    cr_assert_not_null(f, "cannot read %s", path);
    buf[fread(buf, 1, sizeof buf - 1, f)] = '\0';
    fclose(f);
    return buf;
}

// eval.csv keeps 7 significant digits.
static int same7(double a, double b) { return fabs(a - b) <= 1e-6 * fabs(b); }

static int count_lines(const char *text) {
    int n = 0;
    for (; *text; text++) n += *text == '\n';
    return n;
}

Test(fcdlog, rows_untrained_value_and_resume) {
    if (access(FASHION "/t10k-images-idx3-ubyte.gz", R_OK) != 0)
        cr_skip_test("Fashion-MNIST is not installed (apt-get install dataset-fashion-mnist)");
    char dir[] = "/tmp/test_fcdlog_XXXXXX", cache[64];
    cr_assert_not_null(mkdtemp(dir), "mkdtemp");
    snprintf(cache, sizeof cache, "%s/classifier.ckpt", dir);
    Error err = {{0}};
    Classifier c;
    classifier_init(&c, 7);
    cr_assert_eq(classifier_save(&c, cache, &err), 0, "%s", err.msg);
    classifier_free(&c);

    static FcdLog f;
    cr_assert_eq(fcdlog_open(&f, dir, FASHION, cache, "step", "class_accuracy", -1, &err), 0,
                 "%s", err.msg);
    cr_assert(isnan(f.fcd) && isnan(f.untrained), "nothing is known before the first measurement");
    Rng rng;
    rng_seed(&rng, 1);
    rng_fill_uniform(&rng, f.images, EVAL_FCD_SAMPLES * EVAL_PIXELS, -1.0f, 1.0f);   // "untrained"
    cr_assert_eq(fcdlog_measure(&f, &err), 0, "%s", err.msg);
    double noise = f.fcd;
    cr_assert_eq(fcdlog_write(&f, 0, 0.0, (double[]){0.1}, &err), 0, "%s", err.msg);
    cr_assert_eq(f.untrained, noise, "the row of step 0 is the untrained G's");
    memcpy(f.images, f.ev.test.images, sizeof(float) * EVAL_FCD_SAMPLES * EVAL_PIXELS);
    cr_assert_eq(fcdlog_measure(&f, &err), 0, "%s", err.msg);
    cr_assert(f.fcd < 1e-6 * noise, "the test images against themselves: FCD %g", f.fcd);
    cr_assert_eq(fcdlog_write(&f, 10, 0.5, (double[]){0.75}, &err), 0, "%s", err.msg);
    cr_assert_eq(f.untrained, noise, "later rows keep the untrained G's value");
    char line[160];
    fcdlog_format(&f, line, sizeof line);
    char want[160];
    snprintf(want, sizeof want, "(untrained G %.2f, floor %.2f)", noise, f.ev.fcd_floor);
    cr_assert(strstr(line, want) != NULL, "the closing line: %s", line);
    const char *text = slurp(f.csv);
    cr_assert(strncmp(text, "step,epoch,fcd,fcd_floor,fcd_untrained,class_accuracy\n", 54) == 0,
              "header: %s", text);
    cr_assert_eq(count_lines(text), 3, "a header and two rows:\n%s", text);
    cr_assert(strstr(text, "\n10,0.5,") && strstr(text, ",0.75\n"), "the second row:\n%s", text);
    fcdlog_close(&f);

    // A run resumed at step 10 finds both values again; one resumed at step
    // 5 drops the row of step 10 (written after its checkpoint).
    cr_assert_eq(fcdlog_open(&f, dir, FASHION, cache, "step", "class_accuracy", 10, &err), 0,
                 "%s", err.msg);
    cr_assert(same7(f.untrained, noise) && f.fcd < 1e-6 * noise, "read back: untrained %g, fcd %g",
              f.untrained, f.fcd);
    fcdlog_close(&f);
    cr_assert_eq(fcdlog_open(&f, dir, FASHION, cache, "step", "class_accuracy", 5, &err), 0,
                 "%s", err.msg);
    cr_assert(same7(f.untrained, noise) && same7(f.fcd, noise), "resumed at 5: fcd %g", f.fcd);
    cr_assert_eq(count_lines(slurp(f.csv)), 2, "the row after the checkpoint is dropped");
    fcdlog_close(&f);

    char cmd[96];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    cr_assert_eq(system(cmd), 0, "clean up");
}
