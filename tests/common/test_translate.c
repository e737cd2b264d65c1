// test_translate.c - translate.h: a folder of PNGs through a generator (here
// one that inverts the image) writes every image it can, skips and names the
// one it cannot read, and records only what it wrote; a strip has one row per
// image and a column per output.
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "data/image.h"
#include "train/translate.h"

TestSuite(translate, .timeout = 30);

static int invert(void *ctx, float *out, const float *in, int h, int w, Error *err) {
    (void)ctx, (void)err;
    for (int i = 0; i < 3 * h * w; i++) out[i] = -in[i];
    return 0;
}

Test(translate, a_bad_file_is_skipped_and_the_others_written) {
    char dir[] = "/tmp/translate_test_XXXXXX";
    cr_assert(mkdtemp(dir) != NULL, "cannot make a temporary folder");
    char in[128], out[128], path[256];
    snprintf(in, sizeof in, "%s/in", dir);
    snprintf(out, sizeof out, "%s/out", dir);
    Error err;
    cr_assert_eq(run_mkdir(in, &err), 0, "mkdir: %s", err.msg);
    float img[3 * 4 * 4];
    for (int i = 0; i < 48; i++) img[i] = (float)(i % 5) / 5.0f - 0.4f;
    snprintf(path, sizeof path, "%s/a.png", in);
    cr_assert_eq(image_write_png(path, img, 3, 4, 4, &err), 0, "write: %s", err.msg);
    snprintf(path, sizeof path, "%s/c.png", in);
    cr_assert_eq(image_write_png(path, img, 3, 4, 4, &err), 0, "write: %s", err.msg);
    snprintf(path, sizeof path, "%s/b.png", in);
    FILE *f = fopen(path, "w");
    fputs("not a png", f);
    fclose(f);

    TranslateSpec t = {.in_channels = 3, .out_channels = 3, .fn = invert};
    Outputs o;
    outputs_init(&o);
    cr_assert_eq(translate_path(&t, in, out, &o, &err), -1, "a folder with a bad file passed");
    cr_assert(strstr(err.msg, "1 of 3 images") && strstr(err.msg, "b.png"), "the message: %s",
              err.msg);
    cr_assert_eq(o.n, 2, "expected the 2 good images recorded, found %d", o.n);
    float *got;
    int c, h, w;
    snprintf(path, sizeof path, "%s/c.png", out);
    cr_assert_eq(image_read_png(&got, &c, &h, &w, path, 3, &err), 0, "read: %s", err.msg);
    cr_assert(c == 3 && h == 4 && w == 4, "the output is %dx%dx%d", c, h, w);
    cr_assert(got[3] < 0.0f && img[3] > 0.0f, "the output is not the generator's: %g", got[3]);
    free(got);
    snprintf(path, sizeof path, "%s/b.png", out);
    cr_assert(access(path, F_OK) != 0, "an output was written for the bad file");
}

Test(translate, a_strip_has_a_row_per_image_and_a_column_per_output) {
    char path[] = "/tmp/translate_strip_XXXXXX.png";
    int fd = mkstemps(path, 4);
    cr_assert(fd >= 0, "mkstemps failed");
    close(fd);
    float x[2 * 1 * 4 * 4] = {0}, o1[2 * 3 * 16] = {0}, o2[2 * 3 * 16] = {0}, y[2 * 3 * 16] = {0};
    float *outs[2] = {o1, o2};
    Error err;
    cr_assert_eq(translate_write_strip(path, x, 1, outs, 2, y, 2, 4, 4, &err), 0, "strip: %s",
                 err.msg);
    float *got;
    int c, h, w, gh, gw;
    cr_assert_eq(image_read_png(&got, &c, &h, &w, path, 0, &err), 0, "read: %s", err.msg);
    image_grid_size(&gh, &gw, 2 * 4, 4, 4, 4);
    cr_assert(c == 3 && h == gh && w == gw, "expected a %dx%d RGB strip, found %dx%d (%d)", gw,
              gh, w, h, c);
    free(got);
    remove(path);
}
