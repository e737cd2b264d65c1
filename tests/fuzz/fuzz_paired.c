// fuzz_paired.c - paired_load (lesson 05's aligned A | B pairs) on a folder
// holding a valid 4x2 pair, a.png, and the input as b.png; the input's length
// picks the direction, the channels of each half and the load size (0x0: the
// files' own size, which b.png must then share), and for one length in seven
// a folder named c.png sits beside them, which must be refused. An accepted
// set then gives one jittered batch (crop and flip), whose values must be in
// [-1, 1]; a refused one must name the file and leave nothing allocated.
#include <errno.h>
#include <sys/stat.h>

#include "fuzz.h"
#include "data/image.h"
#include "data/paired.h"
#include "util/rng.h"

// The folder, with a.png written once.
static const char *pairs_dir(void) {
    static char dir[512];
    if (!dir[0]) {
        snprintf(dir, sizeof dir, "%s/pairs", fuzz_dir());
        FUZZ_CHECK(mkdir(dir, 0700) == 0, "cannot make %s", dir);
        float ab[3 * 2 * 4];   // (3, 2, 4): A | B, each 2x2
        for (int i = 0; i < 24; i++) ab[i] = image_u8_to_float((uint8_t)(i * 11));
        char path[600];
        snprintf(path, sizeof path, "%s/a.png", dir);
        Error err = {""};
        FUZZ_CHECK(image_write_png(path, ab, 3, 2, 4, &err) == 0, "%s", err.msg);
    }
    return dir;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    const char *dir = pairs_dir();
    char path[600], folder_png[600];
    snprintf(path, sizeof path, "%s/b.png", dir);
    snprintf(folder_png, sizeof folder_png, "%s/c.png", dir);
    FILE *f = fopen(path, "wb");
    FUZZ_CHECK(f != NULL && (size == 0 || fwrite(data, 1, size, f) == size) && fclose(f) == 0,
               "cannot write %s", path);
    int with_folder = size % 7 == 0;
    FUZZ_CHECK(with_folder ? mkdir(folder_png, 0700) == 0 || errno == EEXIST
                           : rmdir(folder_png) == 0 || errno == ENOENT, "%s: %s", folder_png,
               strerror(errno));

    PairedDirection direction = size % 2 ? PAIRED_A_TO_B : PAIRED_B_TO_A;
    int c_x = (size / 2) % 2 ? 3 : 1, c_y = (size / 4) % 2 ? 3 : 1;
    static const int load[3][2] = {{0, 0}, {2, 2}, {3, 5}};   // (h, w)
    int load_h = load[(size / 8) % 3][0], load_w = load[(size / 8) % 3][1];
    PairedSet ps;
    Error err = {""};
    if (paired_load(&ps, dir, direction, c_x, c_y, load_h, load_w, &err) != 0) {
        fuzz_check_error(err.msg, NULL);
        FUZZ_CHECK(strstr(err.msg, path) != NULL ||
                   (with_folder && strstr(err.msg, folder_png) && strstr(err.msg, "found a folder")),
                   "the message does not name %s: %s", path, err.msg);
        FUZZ_CHECK(ps.x == NULL && ps.y == NULL && ps.names == NULL && ps.n == 0,
                   "a failed load left %d pairs", ps.n);
        return 0;
    }
    FUZZ_CHECK(!with_folder, "a folder named c.png was accepted as a pair");
    int h = load_h ? load_h : 2, w = load_w ? load_w : 2;   // a.png's halves are 2x2
    FUZZ_CHECK(ps.n == 2 && ps.c_x == c_x && ps.c_y == c_y && ps.h == h && ps.w == w,
               "n %d, channels %d %d, %dx%d", ps.n, ps.c_x, ps.c_y, ps.w, ps.h);
    FUZZ_CHECK(strcmp(ps.names[0], "a.png") == 0 && strcmp(ps.names[1], "b.png") == 0,
               "names %s %s", ps.names[0], ps.names[1]);

    PairedBatcher b;
    int crop_h = h > 1 ? h - 1 : h, crop_w = w;
    FUZZ_CHECK(paired_batcher_init(&b, &ps, 2, 0, crop_h, crop_w, 1, &err) == 0, "%s", err.msg);
    float x[2 * 3 * 5 * 5], y[2 * 3 * 5 * 5];
    Rng rng;
    rng_seed(&rng, size);
    FUZZ_CHECK(paired_batcher_next(&b, x, y, &rng) == 2, "a batch of both pairs");
    for (int i = 0; i < 2 * c_x * crop_h * crop_w; i++)
        FUZZ_CHECK(x[i] >= -1.0f && x[i] <= 1.0f, "input pixel %d = %g", i, x[i]);
    for (int i = 0; i < 2 * c_y * crop_h * crop_w; i++)
        FUZZ_CHECK(y[i] >= -1.0f && y[i] <= 1.0f, "target pixel %d = %g", i, y[i]);
    paired_batcher_free(&b);
    paired_free(&ps);
    return 0;
}
