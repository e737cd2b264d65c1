// fuzz_png.c - image_read_png on any bytes, as gray, RGB and the file's own choice.
#include <math.h>

#include "fuzz.h"
#include "image.h"

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
        free(img);
    }
    return 0;
}
