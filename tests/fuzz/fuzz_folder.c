// fuzz_folder.c - dataset_load_png_folder on a folder holding the input as a
// PNG next to a valid one, resized to a size the input's length picks: the
// folder loader's error path (which file is named, what is freed) and image
// resizing from whatever size the input claims. For one input length in
// seven a folder named c.png sits beside them, and the load must refuse it.
#include <errno.h>
#include <sys/stat.h>

#include "data/dataset.h"
#include "fuzz.h"

static const uint8_t GRAY_2X2[] = {   // a valid 2x2 gray PNG, read first ("a.png")
    0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44,
    0x52, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0x02, 0x08, 0x00, 0x00, 0x00, 0x00, 0x57,
    0xdd, 0x52, 0xf8, 0x00, 0x00, 0x00, 0x0e, 0x49, 0x44, 0x41, 0x54, 0x78, 0x9c, 0x63, 0x60,
    0xf8, 0xcf, 0xd0, 0xe0, 0x00, 0x00, 0x05, 0x42, 0x01, 0xc0, 0x70, 0x36, 0x36, 0xd6, 0x00,
    0x00, 0x00, 0x00, 0x49, 0x45, 0x4e, 0x44, 0xae, 0x42, 0x60, 0x82};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    fuzz_write_file("a.png", GRAY_2X2, sizeof GRAY_2X2);
    const char *path = fuzz_write_file("b.png", data, size);
    char folder_png[512];
    snprintf(folder_png, sizeof folder_png, "%s/c.png", fuzz_dir());
    int with_folder = size % 7 == 0;
    FUZZ_CHECK(with_folder ? mkdir(folder_png, 0700) == 0 || errno == EEXIST
                           : rmdir(folder_png) == 0 || errno == ENOENT, "%s: %s", folder_png,
               strerror(errno));
    static const int sides[4] = {1, 3, 8, 17};
    int c = size % 2 ? 3 : 1, h = sides[size % 4], w = sides[(size / 4) % 4];
    Dataset ds;
    Error err = {""};
    if (dataset_load_png_folder(&ds, fuzz_dir(), c, h, w, &err) != 0) {
        fuzz_check_error(err.msg, NULL);
        FUZZ_CHECK(strstr(err.msg, path) != NULL ||
                   (with_folder && strstr(err.msg, folder_png) && strstr(err.msg, "found a folder")),
                   "the message does not name %s: %s", path, err.msg);
        FUZZ_CHECK(ds.images == NULL && ds.n == 0, "a failed load left %d images", ds.n);
        return 0;
    }
    FUZZ_CHECK(!with_folder, "a folder named c.png was accepted as an image");
    FUZZ_CHECK(ds.n == 2 && ds.c == c && ds.h == h && ds.w == w, "n %d c %d %dx%d", ds.n, ds.c,
               ds.w, ds.h);
    for (long i = 0; i < 2L * c * h * w; i++)
        FUZZ_CHECK(ds.images[i] >= -1.0f && ds.images[i] <= 1.0f, "pixel %ld = %g", i, ds.images[i]);
    dataset_free(&ds);
    return 0;
}
