// fuzz_png.c - image_read_png on any bytes, as gray, RGB and the file's own
// choice; every image it accepts is written back with image_write_png (to a
// temporary name, then renamed) and must read back pixel for pixel.
#include <math.h>

#include "fuzz.h"
#include "data/image.h"

// img (C, H, W) through the writer and the reader again: 8-bit values, so exact.
static void round_trip(const float *img, int c, int h, int w) {
    char path[512], tmp[520];
    snprintf(path, sizeof path, "%s/written.png", fuzz_dir());
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    Error err = {""};
    FUZZ_CHECK(image_write_png(path, img, c, h, w, &err) == 0, "writing %dx%dx%d: %s", c, h, w,
               err.msg);
    FUZZ_CHECK(access(tmp, F_OK) != 0, "%s was left behind", tmp);
    float *back = NULL;
    int bc, bh, bw;
    FUZZ_CHECK(image_read_png(&back, &bc, &bh, &bw, path, c, &err) == 0, "reading back: %s", err.msg);
    FUZZ_CHECK(bc == c && bh == h && bw == w, "read back as %dx%dx%d, wrote %dx%dx%d", bc, bh, bw,
               c, h, w);
    for (long i = 0; i < (long)c * h * w; i++)
        FUZZ_CHECK(back[i] == img[i], "pixel %ld read back as %g, wrote %g", i, back[i], img[i]);
    free(back);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    const char *path = fuzz_write_file("input.png", data, size);
    static const int wants[3] = {0, 1, 3};
    for (int k = 0; k < 3; k++) {
        float *img = NULL;
        int c = -1, h = -1, w = -1;
        Error err = {""};
        if (image_read_png(&img, &c, &h, &w, path, wants[k], &err) != 0) {
            fuzz_check_error(err.msg, path);
            continue;
        }
        FUZZ_CHECK(wants[k] == 0 ? (c == 1 || c == 3) : c == wants[k], "c = %d for want_c %d", c,
                   wants[k]);
        FUZZ_CHECK(h >= 1 && w >= 1 && h <= IMAGE_MAX_SIDE && w <= IMAGE_MAX_SIDE, "%dx%d", w, h);
        for (long i = 0; i < (long)c * h * w; i++)
            FUZZ_CHECK(img[i] >= -1.0f && img[i] <= 1.0f, "pixel %ld = %g", i, img[i]);
        if (wants[k] != 0) round_trip(img, c, h, w);
        free(img);
    }
    return 0;
}
