// unpaired_set - writes an unpaired data set in the unaligned layout that
// CycleGAN code reads (paired.h: root/trainA trainB testA testB/*.png), from
// a manifest of which emoji goes where:
//
//     unpaired_set MANIFEST DIR_A DIR_B OUT_DIR
//
// One manifest line per emoji, fields separated by tabs (more may follow):
//     split   train or test
//     name    the output file's name, without .png
//     domain  for a training emoji, A or B: the only domain that gets it
//             (so trainA and trainB share no emoji); - for a test emoji
//     A file  its image in domain A, a PNG under DIR_A
//     B file  its image in domain B, a PNG under DIR_B
// A file may end in ":left" or ":right" for that half of an aligned A | B
// pair (lesson 05's pairs). A training emoji of domain A writes
// OUT/trainA/<name>.png, one of domain B OUT/trainB/<name>.png; a test emoji
// writes both OUT/testA/<name>.png and OUT/testB/<name>.png: the same emoji
// in both domains under the same name, the pairing kept for evaluation.
//
// Every image becomes 64x64 RGB on white: transparency is composited onto
// white (image_read_png), a rectangle is centred on a white square (a few
// Fluent designs are 32x33), and the square is shrunk by area averaging
// (each output pixel the mean of the input area it covers: a k x k box when
// the side is k * 64), the same filter for both domains, so a difference
// between them is never a difference of resampling. An image smaller than
// 64 pixels, or a pair that is not twice as wide as high, is refused with a
// message naming the file.
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "util/error.h"
#include "data/image.h"

#define SIDE 64

// weights (OUT, IN) of area averaging along one axis: output pixel o covers
// the input interval [o * n_in / n_out, (o + 1) * n_in / n_out).
static void area_weights(float *weights, int n_out, int n_in) {
    double scale = (double)n_in / n_out;
    for (int o = 0; o < n_out; o++)
        for (int i = 0; i < n_in; i++) {
            double lo = fmax(o * scale, i), hi = fmin((o + 1) * scale, i + 1.0);
            weights[o * n_in + i] = hi > lo ? (float)((hi - lo) / scale) : 0.0f;
        }
}

// out (C, SIDE, SIDE) = in (C, N, N) shrunk by area averaging, N >= SIDE.
static int shrink_area(float *out, const float *in, int c, int n) {
    float *weights = malloc(sizeof(float) * SIDE * n);
    float *rows = malloc(sizeof(float) * SIDE * n);   // (SIDE, N): one channel, rows shrunk
    if (!weights || !rows) {
        free(weights);
        free(rows);
        return -1;
    }
    area_weights(weights, SIDE, n);
    for (int ch = 0; ch < c; ch++) {
        const float *plane = in + (long)ch * n * n;
        for (int y = 0; y < SIDE; y++)
            for (int x = 0; x < n; x++) {
                float sum = 0.0f;
                for (int i = 0; i < n; i++) sum += weights[y * n + i] * plane[(long)i * n + x];
                rows[y * n + x] = sum;
            }
        for (int y = 0; y < SIDE; y++)
            for (int x = 0; x < SIDE; x++) {
                float sum = 0.0f;
                for (int i = 0; i < n; i++) sum += weights[x * n + i] * rows[y * n + i];
                out[((long)ch * SIDE + y) * SIDE + x] = sum;
            }
    }
    free(weights);
    free(rows);
    return 0;
}

// out (3, SIDE, SIDE) = the image named by source ("file.png", "file.png:left"
// or "file.png:right") under dir.
static int read_source(float *out, const char *dir, const char *source, Error *err) {
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, source);
    int half = 0;   // 0 whole, 1 left, 2 right
    char *colon = strrchr(path, ':');
    if (colon && (strcmp(colon, ":left") == 0 || strcmp(colon, ":right") == 0)) {
        half = colon[1] == 'l' ? 1 : 2;
        *colon = '\0';
    }
    float *img = NULL;
    int c, h, w;
    if (image_read_png(&img, &c, &h, &w, path, 3, err) != 0) return -1;
    int x0 = 0, part_w = w;   // the part of the image to keep: a half, or all of it
    if (half) {
        if (w != 2 * h) {
            free(img);
            return error_set(err, "%s: expected an A | B pair twice as wide as high, found %dx%d",
                             path, w, h);
        }
        part_w = h;
        x0 = half == 2 ? h : 0;
    }
    int n = part_w > h ? part_w : h;   // the side of the white square it is centred on
    if (part_w < SIDE || h < SIDE) {
        free(img);
        return error_set(err, "%s: expected an image (or half) of at least %dx%d, found %dx%d",
                         path, SIDE, SIDE, part_w, h);
    }
    float *square = malloc(sizeof(float) * 3 * n * n);
    if (!square) {
        free(img);
        return error_set(err, "%s: out of memory", path);
    }
    int top = (n - h) / 2, left = (n - part_w) / 2;
    for (int ch = 0; ch < 3; ch++)
        for (int y = 0; y < n; y++)
            for (int x = 0; x < n; x++) {
                int yy = y - top, xx = x - left;
                int inside = yy >= 0 && yy < h && xx >= 0 && xx < part_w;
                square[((long)ch * n + y) * n + x] =
                    inside ? img[((long)ch * h + yy) * w + x0 + xx] : 1.0f;
            }
    free(img);
    int status = shrink_area(out, square, 3, n);
    free(square);
    if (status != 0) return error_set(err, "%s: out of memory", path);
    return 0;
}

static int copy_one(const char *out, const char *folder, const char *name, const char *dir,
                    const char *source, Error *err) {
    float img[3 * SIDE * SIDE];
    if (read_source(img, dir, source, err) != 0) return -1;
    char path[4096];
    snprintf(path, sizeof path, "%s/%s/%s.png", out, folder, name);
    return image_write_png(path, img, 3, SIDE, SIDE, err);
}

typedef struct {
    char split[16], name[256], domain[4], file_a[512], file_b[512];
} Entry;

static int parse_line(Entry *e, const char *line, const char *path, int number, Error *err) {
    if (sscanf(line, "%15[^\t]\t%255[^\t]\t%3[^\t]\t%511[^\t]\t%511[^\t\n]", e->split, e->name,
               e->domain, e->file_a, e->file_b) != 5)
        return error_set(err, "%s:%d: expected split, name, domain, A file, B file separated by "
                              "tabs", path, number);
    int train = strcmp(e->split, "train") == 0;
    if (!train && strcmp(e->split, "test") != 0)
        return error_set(err, "%s:%d: split must be train or test, found \"%s\"", path, number,
                         e->split);
    if (train && strcmp(e->domain, "A") != 0 && strcmp(e->domain, "B") != 0)
        return error_set(err, "%s:%d: a training emoji's domain must be A or B, found \"%s\"",
                         path, number, e->domain);
    if (strchr(e->name, '/'))
        return error_set(err, "%s:%d: a name may not contain '/', found \"%s\"", path, number,
                         e->name);
    return 0;
}

static Entry *read_manifest(int *n_out, const char *path, Error *err) {
    FILE *f = fopen(path, "r");
    if (!f) {
        error_set(err, "%s: cannot open the manifest: %s", path, strerror(errno));
        return NULL;
    }
    Entry *entries = NULL;
    int n = 0, cap = 0;
    char line[2048];
    while (fgets(line, sizeof line, f)) {
        if (n == cap) {
            cap = cap ? 2 * cap : 1024;
            Entry *bigger = realloc(entries, sizeof(Entry) * cap);
            if (!bigger) {
                error_set(err, "out of memory reading %s", path);
                goto fail;
            }
            entries = bigger;
        }
        if (parse_line(&entries[n], line, path, n + 1, err) != 0) goto fail;
        n++;
    }
    fclose(f);
    if (n == 0) {
        error_set(err, "%s: the manifest is empty", path);
        free(entries);
        return NULL;
    }
    *n_out = n;
    return entries;
fail:
    fclose(f);
    free(entries);
    return NULL;
}

int main(int argc, char **argv) {
    if (argc != 5) {
        fprintf(stderr, "usage: unpaired_set MANIFEST DIR_A DIR_B OUT_DIR\n");
        return 2;
    }
    const char *out = argv[4];
    static const char *folders[4] = {"trainA", "trainB", "testA", "testB"};
    for (int k = 0; k < 4; k++) {
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", out, folders[k]);
        if (mkdir(out, 0777) != 0 && errno != EEXIST) {
            fprintf(stderr, "unpaired_set: %s: cannot make the folder: %s\n", out, strerror(errno));
            return 1;
        }
        if (mkdir(path, 0777) != 0 && errno != EEXIST) {
            fprintf(stderr, "unpaired_set: %s: cannot make the folder: %s\n", path, strerror(errno));
            return 1;
        }
    }
    Error err;
    int n;
    Entry *entries = read_manifest(&n, argv[1], &err);
    if (!entries) {
        fprintf(stderr, "unpaired_set: %s\n", err.msg);
        return 1;
    }
    int counts[4] = {0}, failed = 0;
    // Each emoji is independent: share them out over the cores.
    #pragma omp parallel for schedule(dynamic, 16)
    for (int i = 0; i < n; i++) {
        if (failed) continue;
        const Entry *e = &entries[i];
        Error mine;
        int status, test = strcmp(e->split, "test") == 0, a = e->domain[0] == 'A';
        if (test)
            status = copy_one(out, "testA", e->name, argv[2], e->file_a, &mine) != 0 ||
                     copy_one(out, "testB", e->name, argv[3], e->file_b, &mine) != 0;
        else
            status = copy_one(out, a ? "trainA" : "trainB", e->name, a ? argv[2] : argv[3],
                              a ? e->file_a : e->file_b, &mine);
        #pragma omp critical
        {
            if (status != 0 && !failed) fprintf(stderr, "unpaired_set: %s\n", mine.msg);
            if (status != 0) failed = 1;
            else if (test) counts[2]++, counts[3]++;
            else counts[a ? 0 : 1]++;
        }
    }
    free(entries);
    if (failed) return 1;
    printf("unpaired_set: %s: trainA %d, trainB %d, testA %d, testB %d\n", out, counts[0],
           counts[1], counts[2], counts[3]);
    return 0;
}
