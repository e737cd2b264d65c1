// dataset.c - see dataset.h.
#include "data/dataset.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "data/idx.h"
#include "data/image.h"

// A folder of more files than this is refused rather than read for hours.
#define DATASET_MAX_FILES 1000000

int dataset_load_idx(Dataset *ds, const char *images_path, const char *labels_path, int limit,
                     int h, int w, int n_classes, Error *err) {
    memset(ds, 0, sizeof *ds);
    if (idx_read_images(&ds->images, &ds->n, &ds->h, &ds->w, images_path, limit, h, w, err) != 0)
        return -1;
    ds->c = 1;
    if (!labels_path) return 0;
    int n_labels;
    if (idx_read_labels(&ds->labels, &n_labels, labels_path, limit, n_classes, err) != 0) {
        dataset_free(ds);
        return -1;
    }
    if (n_labels != ds->n) {
        error_set(err, "%s: expected %d labels (one per image in %s), found %d", labels_path, ds->n,
                  images_path, n_labels);
        dataset_free(ds);
        return -1;
    }
    for (int i = 0; i < ds->n; i++)
        if (ds->labels[i] + 1 > ds->n_classes) ds->n_classes = ds->labels[i] + 1;
    return 0;
}

static int has_suffix(const char *name, const char *suffix) {
    size_t n = strlen(name), s = strlen(suffix);
    return n > s && strcasecmp(name + n - s, suffix) == 0;
}

static int compare_names(const void *a, const void *b) {
    return strcmp(*(char *const *)a, *(char *const *)b);
}

void dataset_free_names(char **names, int n) {
    if (!names) return;
    for (int i = 0; i < n; i++) free(names[i]);
    free(names);
}

// The listing behind dataset_list_pngs (jpeg = 0) and dataset_list_images (jpeg = 1).
static int list_images(char ***names_out, int *count, const char *dir, int jpeg, Error *err) {
    *names_out = NULL;
    *count = 0;
    DIR *d = opendir(dir);
    if (!d) return error_set(err, "%s: cannot open the folder", dir);
    char **names = NULL;
    int n = 0, cap = 0, n_jpeg = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        int is_jpeg = has_suffix(e->d_name, ".jpg") || has_suffix(e->d_name, ".jpeg");
        n_jpeg += is_jpeg;
        if (!has_suffix(e->d_name, ".png") && !(jpeg && is_jpeg)) continue;
        if (n == DATASET_MAX_FILES) {
            error_set(err, "%s: expected at most %d image files, found more", dir, DATASET_MAX_FILES);
            goto fail;
        }
        if (n == cap) {
            cap = cap ? 2 * cap : 64;
            char **bigger = realloc(names, sizeof(char *) * cap);
            if (!bigger) {
                error_set(err, "%s: out of memory listing files", dir);
                goto fail;
            }
            names = bigger;
        }
        if (!(names[n] = strdup(e->d_name))) {
            error_set(err, "%s: out of memory listing files", dir);
            goto fail;
        }
        n++;
    }
    closedir(d);
    if (n == 0) {
        free(names);
        // JPEGs and no PNG: the usual reason, so the message gives the fix.
        if (n_jpeg > 0)
            return error_set(err, "%s: found %d JPEG files but no PNG; this loader reads PNG only: "
                             "convert them with `mogrify -format png *.jpg` (Debian: imagemagick)",
                             dir, n_jpeg);
        return error_set(err, "%s: expected *.png%s images in this folder, found none", dir,
                         jpeg ? " or *.jpg" : "");
    }
    qsort(names, n, sizeof(char *), compare_names);
    *names_out = names;
    *count = n;
    return 0;
fail:
    closedir(d);
    dataset_free_names(names, n);
    return -1;
}

int dataset_list_pngs(char ***names, int *count, const char *dir, Error *err) {
    return list_images(names, count, dir, 0, err);
}

int dataset_list_images(char ***names, int *count, const char *dir, Error *err) {
    return list_images(names, count, dir, 1, err);
}

int dataset_load_png_folder(Dataset *ds, const char *dir, int c, int h, int w, Error *err) {
    memset(ds, 0, sizeof *ds);
    if (c != 1 && c != 3) return error_set(err, "%s: channels must be 1 or 3, got %d", dir, c);
    if (h <= 0 || w <= 0 || h > IMAGE_MAX_SIDE || w > IMAGE_MAX_SIDE)
        return error_set(err, "%s: image size %dx%d is outside 1..%d", dir, w, h, IMAGE_MAX_SIDE);
    int n;
    char **names;
    if (dataset_list_pngs(&names, &n, dir, err) != 0) return -1;
    int status = -1;
    size_t size = (size_t)c * h * w;
    ds->images = malloc(sizeof(float) * size * n);
    if (!ds->images) {
        error_set(err, "%s: out of memory for %d images of %dx%dx%d", dir, n, c, h, w);
        goto done;
    }
    for (int i = 0; i < n; i++) {
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        float *img;
        int ic, ih, iw;
        if (image_read_png(&img, &ic, &ih, &iw, path, c, err) != 0) goto done;
        if (ih == h && iw == w)
            memcpy(ds->images + i * size, img, sizeof(float) * size);
        else
            image_resize(ds->images + i * size, img, c, ih, iw, h, w);
        free(img);
    }
    ds->n = n;
    ds->c = c;
    ds->h = h;
    ds->w = w;
    status = 0;
done:
    if (status != 0) dataset_free(ds);
    dataset_free_names(names, n);
    return status;
}

void dataset_free(Dataset *ds) {
    free(ds->images);
    free(ds->labels);
    memset(ds, 0, sizeof *ds);
}

// ---------------------------------------------------------------- mini-batches

int batcher_init(Batcher *b, const Dataset *ds, int batch, int drop_last, Error *err) {
    memset(b, 0, sizeof *b);
    if (batch <= 0) return error_set(err, "batch size must be positive, got %d", batch);
    if (drop_last && batch > ds->n)
        return error_set(err, "batch size %d is larger than the %d images of the data set, and "
                              "short batches are dropped: no batch at all", batch, ds->n);
    b->order = malloc(sizeof(int) * ds->n);
    if (!b->order) return error_set(err, "out of memory for a batch order of %d images", ds->n);
    b->ds = ds;
    b->batch = batch;
    b->drop_last = drop_last;
    b->pos = -1;   // the first call starts (and shuffles) the first epoch
    return 0;
}

void batcher_free(Batcher *b) {
    free(b->order);
    memset(b, 0, sizeof *b);
}

int batcher_batches_per_epoch(const Batcher *b) {
    int n = b->ds->n;
    return b->drop_last ? n / b->batch : (n + b->batch - 1) / b->batch;
}

int batcher_next(Batcher *b, float *x, int *labels, Rng *rng) {
    const Dataset *ds = b->ds;
    if (b->pos < 0) {   // a new epoch: a new order
        for (int i = 0; i < ds->n; i++) b->order[i] = i;
        rng_shuffle(rng, b->order, ds->n);
        b->pos = 0;
        b->epoch++;
    }
    int left = ds->n - b->pos;
    if (left == 0 || (b->drop_last && left < b->batch)) {
        b->pos = -1;
        return 0;
    }
    int count = left < b->batch ? left : b->batch;
    size_t size = (size_t)ds->c * ds->h * ds->w;
    for (int i = 0; i < count; i++) {
        int j = b->order[b->pos + i];
        memcpy(x + i * size, ds->images + j * size, sizeof(float) * size);
        if (labels && ds->labels) labels[i] = ds->labels[j];
    }
    b->pos += count;
    return count;
}
