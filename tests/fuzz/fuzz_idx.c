// fuzz_idx.c - idx_read_images and idx_read_labels on any bytes: the file as
// it is (raw, or a gzip stream that zlib recognises), and, for even sizes,
// the same bytes gzip-compressed, so that headers inside a valid gzip stream
// are fuzzed too. The size also picks a limit (0, 1 or 3 items).
#include <zlib.h>

#include "fuzz.h"
#include "idx.h"

static void read_both(const char *path, int limit) {
    float *img = NULL;
    int *labels = NULL;
    int n = -1, h = -1, w = -1;
    Error err = {""};
    if (idx_read_images(&img, &n, &h, &w, path, limit, &err) != 0) {
        fuzz_check_error(err.msg, path);
    } else {
        FUZZ_CHECK(n >= 1 && (limit == 0 || n <= limit), "n = %d, limit %d", n, limit);
        FUZZ_CHECK(h >= 1 && w >= 1 && h <= IDX_MAX_SIDE && w <= IDX_MAX_SIDE, "%dx%d", w, h);
        for (long i = 0; i < (long)n * h * w; i++)
            FUZZ_CHECK(img[i] >= -1.0f && img[i] <= 1.0f, "pixel %ld = %g", i, img[i]);
        free(img);
    }
    err.msg[0] = '\0';
    if (idx_read_labels(&labels, &n, path, limit, &err) != 0) {
        fuzz_check_error(err.msg, path);
    } else {
        FUZZ_CHECK(n >= 1 && (limit == 0 || n <= limit), "n = %d, limit %d", n, limit);
        for (int i = 0; i < n; i++) FUZZ_CHECK(labels[i] >= 0 && labels[i] <= 255, "label %d", labels[i]);
        free(labels);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    static const int limits[3] = {0, 1, 3};
    int limit = limits[size % 3];
    read_both(fuzz_write_file("input-idx-ubyte", data, size), limit);
    if (size % 2 == 0) {
        char path[512];
        snprintf(path, sizeof path, "%s/input-idx-ubyte.gz", fuzz_dir());
        gzFile f = gzopen(path, "wb");
        FUZZ_CHECK(f != NULL, "cannot create %s", path);
        FUZZ_CHECK(size == 0 || gzwrite(f, data, (unsigned)size) == (int)size, "gzwrite %s", path);
        FUZZ_CHECK(gzclose(f) == Z_OK, "gzclose %s", path);
        read_both(path, limit);
    }
    return 0;
}
