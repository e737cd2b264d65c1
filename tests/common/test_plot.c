// test_plot.c - the gnuplot-drawn pictures: each makes a PNG of the expected
// size, bad input and a missing gnuplot give an error (never a crash).
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "data/image.h"
#include "train/plot.h"

TestSuite(plot, .timeout = 60);

static int have_gnuplot(void) { return system("gnuplot --version > /dev/null 2>&1") == 0; }

// A PNG of the given size that is not one flat colour.
static void expect_picture(const char *path, int want_h, int want_w) {
    Error err;
    float *img;
    int c, h, w;
    cr_assert_eq(image_read_png(&img, &c, &h, &w, path, 1, &err), 0, "%s", err.msg);
    cr_assert(h == want_h && w == want_w, "%s is %dx%d, want %dx%d", path, w, h, want_w, want_h);
    int varied = 0;
    for (int i = 1; i < h * w; i++) varied |= img[i] != img[0];
    cr_assert(varied, "%s is blank", path);
    free(img);
}

static void write_text(const char *path, const char *text) {
    FILE *f = fopen(path, "w");
    cr_assert_not_null(f, "cannot create %s", path);
    fputs(text, f);
    fclose(f);
}

Test(plot, loss_curves_and_lines) {
    if (!have_gnuplot()) cr_skip_test("gnuplot is not installed");
    char dir[] = "/tmp/test_plot_XXXXXX";
    cr_assert_not_null(mkdtemp(dir), "mkdtemp");
    char csv[256], png[256];
    snprintf(csv, sizeof csv, "%s/log.csv", dir);
    snprintf(png, sizeof png, "%s/loss.png", dir);
    FILE *f = fopen(csv, "w");
    fprintf(f, "step,loss_d,loss_g\n");
    for (int s = 0; s < 300; s++) fprintf(f, "%d,%g,%g\n", s, 1.4 / (1 + s * 0.01), 0.7 + (s % 7) * 0.05);
    fclose(f);
    Error err;
    cr_assert_eq(plot_loss_curves(png, csv, "loss_d,loss_g", "it's a test", NULL, &err), 0, "%s", err.msg);
    expect_picture(png, 500, 900);
    unlink(png);
    cr_assert_eq(plot_lines(png, csv, "loss_d", "loss_g", "lines", NULL, "G", 1, &err), 0, "%s", err.msg);
    expect_picture(png, 500, 800);
    unlink(png);
    unlink(csv);
    rmdir(dir);
}

Test(plot, scatter_of_two_point_sets) {
    if (!have_gnuplot()) cr_skip_test("gnuplot is not installed");
    char png[] = "/tmp/test_scatter_XXXXXX.png";
    close(mkstemps(png, 4));
    float a[2 * 8], b[2 * 3];
    for (int i = 0; i < 8; i++) {
        a[2 * i] = (float)(i % 3) - 1;
        a[2 * i + 1] = (float)(i / 3) - 1;
    }
    for (int i = 0; i < 6; i++) b[i] = 0.1f * i;
    Error err;
    cr_assert_eq(plot_scatter(png, a, 8, "real", b, 3, "generated", "ring", &err), 0, "%s", err.msg);
    expect_picture(png, 640, 640);
    unlink(png);
}

Test(plot, bad_input_is_an_error_not_a_crash) {
    char csv[] = "/tmp/test_plot_XXXXXX.csv", png[64];
    close(mkstemps(csv, 4));
    snprintf(png, sizeof png, "%s.png", csv);   // never written: every call below fails
    write_text(csv, "step,loss_d\n0,1\n");
    Error err;
    cr_assert_eq(plot_loss_curves(png, csv, "loss_d,loss_g", "t", NULL, &err), -1,
                 "a missing column is refused");
    cr_assert(strstr(err.msg, csv) && strstr(err.msg, "expected a column \"loss_g\"") &&
                  strstr(err.msg, "found the columns \"step,loss_d\""), "message: %s", err.msg);
    cr_assert_eq(plot_loss_curves(png, "/no/such.csv", "loss_d", "t", NULL, &err), -1,
                 "a missing CSV is refused");
    cr_assert(strstr(err.msg, "/no/such.csv: cannot open"), "message: %s", err.msg);
    write_text(csv, "");
    cr_assert_eq(plot_loss_curves(png, csv, "loss_d", "t", NULL, &err), -1, "an empty CSV");
    cr_assert(strstr(err.msg, "found an empty file"), "message: %s", err.msg);
    write_text(csv, "step,loss_d\n");
    cr_assert_eq(plot_loss_curves(png, csv, "loss_d", "t", NULL, &err), -1, "a header only");
    cr_assert(strstr(err.msg, "expected rows of data, found only the header"), "message: %s", err.msg);
    if (have_gnuplot()) {   // gnuplot's own complaint is passed on
        write_text(csv, "step,loss_d\n0,abc\n");
        cr_assert_eq(plot_loss_curves(png, csv, "loss_d", "t", NULL, &err), -1,
                     "a CSV without numbers cannot be plotted");
        cr_assert(strstr(err.msg, "gnuplot failed on") != NULL, "message: %s", err.msg);
    }
    unlink(csv);
    unlink(png);
}

Test(plot, missing_gnuplot_is_reported_not_fatal) {
    char csv[] = "/tmp/test_plot_XXXXXX.csv", png[64];
    close(mkstemps(csv, 4));
    snprintf(png, sizeof png, "%s.png", csv);   // never written: every call below fails
    write_text(csv, "step,loss\n0,1\n1,0.5\n");
    setenv("PATH", "/nonexistent", 1);   // this test runs in its own process
    Error err;
    cr_assert_eq(plot_loss_curves(png, csv, "loss", "t", NULL, &err), -1, "no gnuplot");
    cr_assert(strstr(err.msg, "gnuplot is not installed") && strstr(err.msg, "gnuplot-nox"),
              "message: %s", err.msg);
    unlink(csv);
}
