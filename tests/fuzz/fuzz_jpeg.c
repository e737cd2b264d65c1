// fuzz_jpeg.c - image_read_jpeg on any bytes, as gray, RGB and the file's own
// choice, and image_read (which picks the reader from the first bytes).
#include "fuzz.h"
#include "data/image.h"

// A result of either reader: c channels as asked, sides within the limit,
// every pixel in [-1, 1].
static void check_image(const float *img, int c, int h, int w, int want_c) {
    FUZZ_CHECK(want_c == 0 ? (c == 1 || c == 3) : c == want_c, "c = %d for want_c %d", c, want_c);
    FUZZ_CHECK(h >= 1 && w >= 1 && h <= IMAGE_MAX_SIDE && w <= IMAGE_MAX_SIDE, "%dx%d", w, h);
    for (long i = 0; i < (long)c * h * w; i++)
        FUZZ_CHECK(img[i] >= -1.0f && img[i] <= 1.0f, "pixel %ld = %g", i, img[i]);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    const char *path = fuzz_write_file("input.jpg", data, size);
    static const int wants[3] = {0, 1, 3};
    for (int k = 0; k < 4; k++) {
        Error err = {""};
        float *img = (float *)&err;   // non-NULL: a refusal must reset it
        int c = -1, h = -1, w = -1, want_c = k < 3 ? wants[k] : 0;
        int r = k < 3 ? image_read_jpeg(&img, &c, &h, &w, path, want_c, &err)
                      : image_read(&img, &c, &h, &w, path, want_c, &err);
        if (r != 0) {
            FUZZ_CHECK(r == -1 && img == NULL, "failed with %d, image %p", r, (void *)img);
            fuzz_check_error(err.msg, path);
            continue;
        }
        check_image(img, c, h, w, want_c);
        free(img);
    }
    return 0;
}
