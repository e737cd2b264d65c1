// paired.c - see paired.h.
#include "data/paired.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "data/dataset.h"
#include "data/edges.h"
#include "data/image.h"

int paired_parse_direction(PairedDirection *direction, const char *text, Error *err) {
    if (strcmp(text, "AtoB") == 0) *direction = PAIRED_A_TO_B;
    else if (strcmp(text, "BtoA") == 0) *direction = PAIRED_B_TO_A;
    else return error_set(err, "direction must be AtoB or BtoA, got \"%s\"", text);
    return 0;
}

void paired_join(float *ab, const float *a, const float *b, int c, int h, int w) {
    for (int k = 0; k < c; k++)
        for (int y = 0; y < h; y++) {
            float *row = ab + ((size_t)k * h + y) * 2 * w;
            memcpy(row, a + ((size_t)k * h + y) * w, sizeof(float) * w);
            memcpy(row + w, b + ((size_t)k * h + y) * w, sizeof(float) * w);
        }
}

void paired_split(float *a, float *b, const float *ab, int c, int h, int w) {
    for (int k = 0; k < c; k++)
        for (int y = 0; y < h; y++) {
            const float *row = ab + ((size_t)k * h + y) * 2 * w;
            memcpy(a + ((size_t)k * h + y) * w, row, sizeof(float) * w);
            memcpy(b + ((size_t)k * h + y) * w, row + w, sizeof(float) * w);
        }
}

// The multiple of m nearest to n, at least m.
static int nearest_multiple(int n, int m) {
    int down = n / m * m;
    if (down == 0) return m;
    return (n - down <= down + m - n) ? down : down + m;
}

int paired_check_fits(int h, int w, int depth, Error *err) {
    if (depth < 0 || depth > 13) return error_set(err, "generator depth must be 0..13, got %d", depth);
    int m = 1 << depth;
    if (h > 0 && w > 0 && h % m == 0 && w % m == 0) return 0;
    return error_set(err, "a %dx%d image does not fit a generator that halves it %d times: height "
                          "and width must be multiples of 2^%d = %d (nearest that fits: %dx%d)",
                     w, h, depth, depth, m, nearest_multiple(w, m), nearest_multiple(h, m));
}

// ---------------------------------------------------------------- reading folders

// dst (C_dst, out_h, out_w) as 8-bit pixels = src (C_src, h, w) converted to
// C_dst channels (3 -> 1 by luminance; 1 -> 3 never happens: files are read
// with the larger count) and resized. work holds 2 * max(h * w, out_h * out_w)
// floats per channel.
static void store_image(uint8_t *dst, const float *src, int c_src, int h, int w, int c_dst,
                        int out_h, int out_w, float *work) {
    const float *img = src;
    if (c_dst == 1 && c_src == 3) {
        edges_luminance(work, src, 3, h, w);
        img = work;
    }
    size_t size = (size_t)c_dst * out_h * out_w;
    if (out_h != h || out_w != w) {
        float *resized = work + (size_t)3 * (h * w > out_h * out_w ? h * w : out_h * out_w);
        image_resize(resized, img, c_dst, h, w, out_h, out_w);
        img = resized;
    }
    for (size_t i = 0; i < size; i++) dst[i] = image_float_to_u8(img[i]);
}

static float *alloc_work(int h, int w, int out_h, int out_w) {
    size_t plane = (size_t)(h * w > out_h * out_w ? h * w : out_h * out_w);
    return malloc(sizeof(float) * 6 * plane);
}

static int check_load_size(const char *dir, int c, int load_h, int load_w, int allow_zero,
                           Error *err) {
    if (c != 1 && c != 3) return error_set(err, "%s: channels must be 1 or 3, got %d", dir, c);
    if (allow_zero && load_h == 0 && load_w == 0) return 0;
    if (load_h <= 0 || load_w <= 0 || load_h > IMAGE_MAX_SIDE || load_w > IMAGE_MAX_SIDE)
        return error_set(err, "%s: load size %dx%d is outside 1..%d%s", dir, load_w, load_h,
                         IMAGE_MAX_SIDE, allow_zero ? " (0x0 keeps the files' size)" : "");
    return 0;
}

// ---------------------------------------------------------------- aligned pairs

int paired_load(PairedSet *ps, const char *dir, PairedDirection direction, int c_x, int c_y,
                int load_h, int load_w, Error *err) {
    memset(ps, 0, sizeof *ps);
    if (check_load_size(dir, c_x, load_h, load_w, 1, err) != 0) return -1;
    if (check_load_size(dir, c_y, load_h, load_w, 1, err) != 0) return -1;
    int n;
    char **names;
    if (dataset_list_images(&names, &n, dir, err) != 0) return -1;
    int want_c = (c_x == 3 || c_y == 3) ? 3 : 1;
    int first_h = 0, first_w = 0;   // the first file's size
    float *ab = NULL, *a = NULL, *b = NULL, *work = NULL;
    for (int i = 0; i < n; i++) {
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        int c, h, w2;
        if (image_read(&ab, &c, &h, &w2, path, want_c, err) != 0) goto fail;
        if (w2 % 2 != 0) {
            error_set(err, "%s: width %d is odd, so the halves A | B cannot be the same size "
                           "(an aligned pair is two equal images side by side)", path, w2);
            goto fail;
        }
        int w = w2 / 2;
        if (i == 0) {
            first_h = h;
            first_w = w2;
            ps->h = load_h ? load_h : h;
            ps->w = load_w ? load_w : w;
            ps->x = malloc((size_t)n * c_x * ps->h * ps->w);
            ps->y = malloc((size_t)n * c_y * ps->h * ps->w);
            if (!ps->x || !ps->y) {
                error_set(err, "%s: out of memory for %d pairs of %dx%d", dir, n, ps->w, ps->h);
                goto fail;
            }
        } else if (!load_h && (h != first_h || w2 != first_w)) {
            error_set(err, "%s: is %dx%d but %s/%s is %dx%d; without a load size every pair must "
                           "have the same size (or give one to resize them)",
                      path, w2, h, dir, names[0], first_w, first_h);
            goto fail;
        }
        a = malloc(sizeof(float) * want_c * h * w);
        b = malloc(sizeof(float) * want_c * h * w);
        work = alloc_work(h, w, ps->h, ps->w);
        if (!a || !b || !work) {
            error_set(err, "%s: out of memory for a %dx%d pair", path, w2, h);
            goto fail;
        }
        paired_split(a, b, ab, want_c, h, w);
        const float *x = (direction == PAIRED_A_TO_B) ? a : b;
        const float *y = (direction == PAIRED_A_TO_B) ? b : a;
        store_image(ps->x + (size_t)i * c_x * ps->h * ps->w, x, want_c, h, w, c_x, ps->h, ps->w, work);
        store_image(ps->y + (size_t)i * c_y * ps->h * ps->w, y, want_c, h, w, c_y, ps->h, ps->w, work);
        free(ab);
        free(a);
        free(b);
        free(work);
        ab = a = b = work = NULL;
    }
    ps->n = n;
    ps->c_x = c_x;
    ps->c_y = c_y;
    ps->names = names;
    return 0;
fail:
    free(ab);
    free(a);
    free(b);
    free(work);
    dataset_free_names(names, n);
    free(ps->x);
    free(ps->y);
    memset(ps, 0, sizeof *ps);
    return -1;
}

void paired_free(PairedSet *ps) {
    free(ps->x);
    free(ps->y);
    dataset_free_names(ps->names, ps->n);
    memset(ps, 0, sizeof *ps);
}

// out (C, crop_h, crop_w) in [-1, 1] = the window at (y0, x0) of src (C, H, W), mirrored if flip.
static void copy_window(float *out, const uint8_t *src, int c, int h, int w, int y0, int x0,
                        int crop_h, int crop_w, int flip) {
    for (int k = 0; k < c; k++)
        for (int y = 0; y < crop_h; y++) {
            const uint8_t *row = src + ((size_t)k * h + y0 + y) * w + x0;
            float *dst = out + ((size_t)k * crop_h + y) * crop_w;
            for (int x = 0; x < crop_w; x++)
                dst[x] = image_u8_to_float(row[flip ? crop_w - 1 - x : x]);
        }
}

void paired_get(float *x, float *y, const PairedSet *ps, int i, int y0, int x0, int crop_h,
                int crop_w, int flip) {
    size_t plane = (size_t)ps->h * ps->w;
    copy_window(x, ps->x + i * ps->c_x * plane, ps->c_x, ps->h, ps->w, y0, x0, crop_h, crop_w, flip);
    copy_window(y, ps->y + i * ps->c_y * plane, ps->c_y, ps->h, ps->w, y0, x0, crop_h, crop_w, flip);
}

static int check_crop(int crop_h, int crop_w, int h, int w, Error *err) {
    if (crop_h <= 0 || crop_w <= 0 || crop_h > h || crop_w > w)
        return error_set(err, "crop %dx%d must be at least 1x1 and fit inside the %dx%d images "
                              "(load them at least as large as the crop)", crop_w, crop_h, w, h);
    return 0;
}

int paired_batcher_init(PairedBatcher *b, const PairedSet *ps, int batch, int drop_last,
                        int crop_h, int crop_w, int flip, Error *err) {
    memset(b, 0, sizeof *b);
    if (batch <= 0) return error_set(err, "batch size must be positive, got %d", batch);
    if (drop_last && batch > ps->n)
        return error_set(err, "batch size %d is larger than the %d pairs of the data set, and "
                              "short batches are dropped: no batch at all", batch, ps->n);
    if (check_crop(crop_h, crop_w, ps->h, ps->w, err) != 0) return -1;
    b->order = malloc(sizeof(int) * ps->n);
    if (!b->order) return error_set(err, "out of memory for a batch order of %d pairs", ps->n);
    b->ps = ps;
    b->batch = batch;
    b->drop_last = drop_last;
    b->crop_h = crop_h;
    b->crop_w = crop_w;
    b->flip = flip;
    b->pos = -1;   // the first call starts (and shuffles) the first epoch
    return 0;
}

void paired_batcher_free(PairedBatcher *b) {
    free(b->order);
    memset(b, 0, sizeof *b);
}

int paired_batcher_next(PairedBatcher *b, float *x, float *y, Rng *rng) {
    const PairedSet *ps = b->ps;
    if (b->pos < 0) {
        for (int i = 0; i < ps->n; i++) b->order[i] = i;
        rng_shuffle(rng, b->order, ps->n);
        b->pos = 0;
        b->epoch++;
    }
    int left = ps->n - b->pos;
    if (left == 0 || (b->drop_last && left < b->batch)) {
        b->pos = -1;
        return 0;
    }
    int count = left < b->batch ? left : b->batch;
    size_t size_x = (size_t)ps->c_x * b->crop_h * b->crop_w;
    size_t size_y = (size_t)ps->c_y * b->crop_h * b->crop_w;
    for (int i = 0; i < count; i++) {
        int y0 = rng_int(rng, ps->h - b->crop_h + 1);
        int x0 = rng_int(rng, ps->w - b->crop_w + 1);
        int flip = b->flip && rng_uniform(rng) < 0.5f;
        paired_get(x + i * size_x, y + i * size_y, ps, b->order[b->pos + i], y0, x0, b->crop_h,
                   b->crop_w, flip);
    }
    b->pos += count;
    return count;
}

// ---------------------------------------------------------------- unaligned sets

// Every *.png and *.jpg in dir as (C, H, W) 8-bit pixels in a new array *pixels.
static int load_folder(uint8_t **pixels, char ***names_out, int *n_out, const char *dir, int c,
                       int h, int w, Error *err) {
    int n;
    char **names;
    if (dataset_list_images(&names, &n, dir, err) != 0) return -1;
    size_t size = (size_t)c * h * w;
    uint8_t *all = malloc(size * n);
    if (!all) {
        error_set(err, "%s: out of memory for %d images of %dx%d", dir, n, w, h);
        dataset_free_names(names, n);
        return -1;
    }
    for (int i = 0; i < n; i++) {
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        float *img;
        int ic, ih, iw;
        if (image_read(&img, &ic, &ih, &iw, path, c, err) != 0) goto fail;
        float *work = alloc_work(ih, iw, h, w);
        if (!work) {
            free(img);
            error_set(err, "%s: out of memory for a %dx%d image", path, iw, ih);
            goto fail;
        }
        store_image(all + i * size, img, c, ih, iw, c, h, w, work);
        free(work);
        free(img);
    }
    *pixels = all;
    *names_out = names;
    *n_out = n;
    return 0;
fail:
    free(all);
    dataset_free_names(names, n);
    return -1;
}

int unpaired_load(UnpairedSet *us, const char *root, const char *phase, int c, int load_h,
                  int load_w, Error *err) {
    memset(us, 0, sizeof *us);
    char dir[4096];
    snprintf(dir, sizeof dir, "%s/%sA", root, phase);
    if (check_load_size(dir, c, load_h, load_w, 0, err) != 0) return -1;
    if (load_folder(&us->a, &us->names_a, &us->n_a, dir, c, load_h, load_w, err) != 0) return -1;
    snprintf(dir, sizeof dir, "%s/%sB", root, phase);
    if (load_folder(&us->b, &us->names_b, &us->n_b, dir, c, load_h, load_w, err) != 0) {
        unpaired_free(us);
        return -1;
    }
    us->c = c;
    us->h = load_h;
    us->w = load_w;
    return 0;
}

void unpaired_free(UnpairedSet *us) {
    free(us->a);
    free(us->b);
    dataset_free_names(us->names_a, us->n_a);
    dataset_free_names(us->names_b, us->n_b);
    memset(us, 0, sizeof *us);
}

void unpaired_get(float *out, const UnpairedSet *us, int which, int i, int y0, int x0, int crop_h,
                  int crop_w, int flip) {
    const uint8_t *set = which == 0 ? us->a : us->b;
    copy_window(out, set + (size_t)i * us->c * us->h * us->w, us->c, us->h, us->w, y0, x0, crop_h,
                crop_w, flip);
}

int unpaired_batcher_init(UnpairedBatcher *b, const UnpairedSet *us, int batch, int crop_h,
                          int crop_w, int flip, Error *err) {
    memset(b, 0, sizeof *b);
    if (batch <= 0) return error_set(err, "batch size must be positive, got %d", batch);
    if (check_crop(crop_h, crop_w, us->h, us->w, err) != 0) return -1;
    b->order = malloc(sizeof(int) * us->n_a);
    if (!b->order) return error_set(err, "out of memory for a batch order of %d images", us->n_a);
    b->us = us;
    b->batch = batch;
    b->crop_h = crop_h;
    b->crop_w = crop_w;
    b->flip = flip;
    b->pos = -1;
    return 0;
}

void unpaired_batcher_free(UnpairedBatcher *b) {
    free(b->order);
    memset(b, 0, sizeof *b);
}

// One image of domain which, at a random window, maybe mirrored.
static void jittered(float *out, const UnpairedBatcher *it, int which, int i, Rng *rng) {
    const UnpairedSet *us = it->us;
    int y0 = rng_int(rng, us->h - it->crop_h + 1);
    int x0 = rng_int(rng, us->w - it->crop_w + 1);
    int flip = it->flip && rng_uniform(rng) < 0.5f;
    unpaired_get(out, us, which, i, y0, x0, it->crop_h, it->crop_w, flip);
}

int unpaired_batcher_next(UnpairedBatcher *it, float *a, float *b, Rng *rng) {
    const UnpairedSet *us = it->us;
    if (it->pos < 0) {
        for (int i = 0; i < us->n_a; i++) it->order[i] = i;
        rng_shuffle(rng, it->order, us->n_a);
        it->pos = 0;
        it->epoch++;
    }
    int left = us->n_a - it->pos;
    if (left == 0) {
        it->pos = -1;
        return 0;
    }
    int count = left < it->batch ? left : it->batch;
    size_t size = (size_t)us->c * it->crop_h * it->crop_w;
    for (int i = 0; i < count; i++) {
        jittered(a + i * size, it, 0, it->order[it->pos + i], rng);
        jittered(b + i * size, it, 1, rng_int(rng, us->n_b), rng);
    }
    it->pos += count;
    return count;
}
