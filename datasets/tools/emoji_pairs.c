// emoji_pairs - builds the course's emoji data sets from the two unpacked
// emoji image sets and the manifest of emoji_manifest.js:
//
//     emoji_pairs MANIFEST GOOGLE_DIR TWITTER_DIR OUT_DIR
//
// For every manifest line (split, name, image file, CycleGAN domain) it reads
// the image from both sets (transparency composited onto white by
// image_read_png) and writes
//     OUT/sketch2google/<split>/<name>.png    sketch | Google colour image
//     OUT/sketch2twitter/<split>/<name>.png   sketch | Twitter colour image
// in the aligned layout of paired.h, each sketch drawn by XDoG (edges.h) from
// its own colour image,
//     OUT/google2twitter_pairs/<split>/<name>.png   Google | Twitter image
// in the same layout (a translation whose input does not give the output's
// edges: lesson 05's ablation shows L1's blur on it). Lesson 06's unpaired
// sets are cut from these pairs by unpaired_set (make_unpaired.sh).
// The folders must exist (datasets/fetch_emoji.sh makes them).
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "data/edges.h"
#include "util/error.h"
#include "data/image.h"
#include "data/paired.h"

#define SIDE 64   // the packages' img/<set>/64 images

typedef struct {
    int pairs[3];     // train, val, test
} Counts;

static int split_index(const char *split) {
    if (strcmp(split, "train") == 0) return 0;
    if (strcmp(split, "val") == 0) return 1;
    if (strcmp(split, "test") == 0) return 2;
    return -1;
}

static int write_image(const char *out, const char *set, const char *folder, const char *name,
                       const float *img, int c, int h, int w, Error *err) {
    char path[4096];
    snprintf(path, sizeof path, "%s/%s/%s/%s.png", out, set, folder, name);
    return image_write_png(path, img, c, h, w, err);
}

// One emoji: its three pairs.
static int build_one(Counts *counts, const char *out, const char *split, const char *name,
                     const char *file, const char *dirs[2], Error *err) {
    static const char *pair_sets[2] = {"sketch2google", "sketch2twitter"};
    float sketch[SIDE * SIDE], sketch_rgb[3 * SIDE * SIDE], pair[3 * SIDE * 2 * SIDE];
    float scratch[EDGES_XDOG_SCRATCH(SIDE, SIDE)];
    float *colour[2] = {NULL, NULL};   // Google's and Twitter's image
    XdogParams xdog = XDOG_DEFAULTS;
    int s = split_index(split);
    if (s < 0) return error_set(err, "%s: split must be train, val or test, got \"%s\"", name, split);
    int status = 0;
    for (int set = 0; set < 2 && status == 0; set++) {
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", dirs[set], file);
        int c, h, w;
        if (image_read_png(&colour[set], &c, &h, &w, path, 3, err) != 0) {
            status = -1;
            break;
        }
        float *img = colour[set];
        if (h != SIDE || w != SIDE) {
            status = error_set(err, "%s: expected a %dx%d image, found %dx%d", path, SIDE, SIDE,
                               w, h);
            break;
        }
        edges_xdog(sketch, scratch, img, 3, SIDE, SIDE, &xdog);
        for (int k = 0; k < 3; k++) memcpy(sketch_rgb + k * SIDE * SIDE, sketch, sizeof sketch);
        paired_join(pair, sketch_rgb, img, 3, SIDE, SIDE);
        status = write_image(out, pair_sets[set], split, name, pair, 3, SIDE, 2 * SIDE, err);
    }
    if (status == 0) {
        paired_join(pair, colour[0], colour[1], 3, SIDE, SIDE);
        status = write_image(out, "google2twitter_pairs", split, name, pair, 3, SIDE, 2 * SIDE,
                             err);
    }
    free(colour[0]);
    free(colour[1]);
    if (status != 0) return -1;
    counts->pairs[s]++;
    return 0;
}

// The manifest's lines, one emoji each.
typedef struct {
    char split[16], name[256], file[256], domain[4];
} Entry;

static Entry *read_manifest(int *n_out, const char *path) {
    FILE *f = fopen(path, "r");
    if (!f) {
        fprintf(stderr, "emoji_pairs: %s: cannot open the manifest\n", path);
        return NULL;
    }
    Entry *entries = NULL;
    int n = 0, cap = 0;
    char line[1024];
    while (fgets(line, sizeof line, f)) {
        if (n == cap) {
            cap = cap ? 2 * cap : 1024;
            Entry *bigger = realloc(entries, sizeof(Entry) * cap);
            if (!bigger) {
                fprintf(stderr, "emoji_pairs: out of memory reading %s\n", path);
                goto fail;
            }
            entries = bigger;
        }
        Entry *e = &entries[n];
        if (sscanf(line, "%15[^\t]\t%255[^\t]\t%255[^\t]\t%3[^\t\n]", e->split, e->name, e->file,
                   e->domain) != 4) {
            fprintf(stderr, "emoji_pairs: %s:%d: expected split, name, file, domain separated "
                            "by tabs\n", path, n + 1);
            goto fail;
        }
        n++;
    }
    fclose(f);
    *n_out = n;
    return entries;
fail:
    fclose(f);
    free(entries);
    return NULL;
}

int main(int argc, char **argv) {
    if (argc != 5) {
        fprintf(stderr, "usage: emoji_pairs MANIFEST GOOGLE_DIR TWITTER_DIR OUT_DIR\n");
        return 2;
    }
    const char *dirs[2] = {argv[2], argv[3]};
    int n;
    Entry *entries = read_manifest(&n, argv[1]);
    if (!entries) return 1;
    Counts counts = {0};
    int failed = 0;
    // Each emoji is independent: share them out over the cores.
    #pragma omp parallel for schedule(dynamic, 16)
    for (int i = 0; i < n; i++) {
        if (failed) continue;
        Counts mine = {0};
        Error err;
        const Entry *e = &entries[i];
        int status = build_one(&mine, argv[4], e->split, e->name, e->file, dirs, &err);
        #pragma omp critical
        {
            if (status != 0 && !failed) fprintf(stderr, "emoji_pairs: %s\n", err.msg);
            if (status != 0) failed = 1;
            for (int k = 0; k < 3; k++) counts.pairs[k] += mine.pairs[k];
        }
    }
    free(entries);
    if (failed) return 1;
    printf("emoji_pairs: pairs train %d, val %d, test %d (in sketch2google, sketch2twitter and "
           "google2twitter_pairs)\n",
           counts.pairs[0], counts.pairs[1], counts.pairs[2]);
    return 0;
}
