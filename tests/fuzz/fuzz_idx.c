// fuzz_idx.c - idx_read_images and idx_read_labels on any bytes: the file as
// it is (raw, or a gzip stream that zlib recognises), and, for even sizes,
// the same bytes gzip-compressed, so that headers inside a valid gzip stream
// are fuzzed too. The size also picks a limit (0, 1 or 3 items) and what the
// caller takes: any size and label, or 28x28 images and 10 classes (the
// lessons' Fashion-MNIST), which must then be all that is ever returned.
#include <zlib.h>

#include "fuzz.h"
#include "data/idx.h"

static void read_both(const char *path, int limit, int strict) {
    int want_side = strict ? 28 : 0, n_classes = strict ? 10 : 0;
    float *img = NULL;
    int *labels = NULL;
    int n = -1, h = -1, w = -1;
    Error err = {""};
    if (idx_read_images(&img, &n, &h, &w, path, limit, want_side, want_side, &err) != 0) {
        fuzz_check_error(err.msg, path);
    } else {
        FUZZ_CHECK(n >= 1 && (limit == 0 || n <= limit), "n = %d, limit %d", n, limit);
        FUZZ_CHECK(h >= 1 && w >= 1 && h <= IDX_MAX_SIDE && w <= IDX_MAX_SIDE, "%dx%d", w, h);
        FUZZ_CHECK(!strict || (h == 28 && w == 28), "asked for 28x28, got %dx%d", h, w);
        for (long i = 0; i < (long)n * h * w; i++)
            FUZZ_CHECK(img[i] >= -1.0f && img[i] <= 1.0f, "pixel %ld = %g", i, img[i]);
        free(img);
    }
    err.msg[0] = '\0';
    if (idx_read_labels(&labels, &n, path, limit, n_classes, &err) != 0) {
        fuzz_check_error(err.msg, path);
    } else {
        FUZZ_CHECK(n >= 1 && (limit == 0 || n <= limit), "n = %d, limit %d", n, limit);
        int top = strict ? n_classes - 1 : 255;
        for (int i = 0; i < n; i++)
            FUZZ_CHECK(labels[i] >= 0 && labels[i] <= top, "label %d of at most %d", labels[i], top);
        free(labels);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    static const int limits[3] = {0, 1, 3};
    int limit = limits[size % 3], strict = (size / 3) % 2;
    read_both(fuzz_write_file("input-idx-ubyte", data, size), limit, strict);
    if (size % 2 == 0) {
        char path[512];
        snprintf(path, sizeof path, "%s/input-idx-ubyte.gz", fuzz_dir());
        gzFile f = gzopen(path, "wb");
        FUZZ_CHECK(f != NULL, "cannot create %s", path);
        FUZZ_CHECK(size == 0 || gzwrite(f, data, (unsigned)size) == (int)size, "gzwrite %s", path);
        FUZZ_CHECK(gzclose(f) == Z_OK, "gzclose %s", path);
        read_both(path, limit, strict);
    }
    return 0;
}
