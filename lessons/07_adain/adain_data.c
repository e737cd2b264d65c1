// adain_data.c - folders of images, scaled once, and their crops.
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "adain_data.h"
#include "data/image.h"

static int is_image_name(const char *name) {
    const char *dot = strrchr(name, '.');
    return dot && (!strcasecmp(dot, ".png") || !strcasecmp(dot, ".jpg") || !strcasecmp(dot, ".jpeg"));
}

static int by_name(const void *a, const void *b) {
    return strcmp(a, b);
}

int adain_images_load(AdainImages *s, const char *dir, int short_side, Error *err) {
    memset(s, 0, sizeof *s);
    DIR *d = opendir(dir);
    if (!d) return error_set(err, "%s: cannot open the image folder (make datasets-adain makes "
                             "datasets/adain)", dir);
    int cap = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (!is_image_name(e->d_name) || strlen(e->d_name) >= sizeof s->names[0]) continue;
        if (s->n == cap) {
            cap = cap ? 2 * cap : 64;
            s->names = realloc(s->names, sizeof s->names[0] * cap);
        }
        strcpy(s->names[s->n++], e->d_name);
    }
    closedir(d);
    if (s->n == 0) return error_set(err, "%s: expected PNG or JPEG images, found none", dir);
    qsort(s->names, (size_t)s->n, sizeof s->names[0], by_name);
    s->img = calloc((size_t)s->n, sizeof *s->img);
    s->h = calloc((size_t)s->n, sizeof *s->h);
    s->w = calloc((size_t)s->n, sizeof *s->w);
    for (int i = 0; i < s->n; i++) {
        char path[1200];
        snprintf(path, sizeof path, "%s/%s", dir, s->names[i]);
        float *raw;
        int c, h, w;
        if (image_read(&raw, &c, &h, &w, path, 3, err) != 0) {
            adain_images_free(s);
            return -1;
        }
        int nh = h <= w ? short_side : (int)((long)h * short_side / w);
        int nw = h <= w ? (int)((long)w * short_side / h) : short_side;
        s->img[i] = malloc(sizeof(float) * 3 * nh * nw);
        image_resize(s->img[i], raw, 3, h, w, nh, nw);
        free(raw);
        s->h[i] = nh, s->w[i] = nw;
    }
    return 0;
}

void adain_images_free(AdainImages *s) {
    for (int i = 0; s->img && i < s->n; i++) free(s->img[i]);
    free(s->img), free(s->h), free(s->w), free(s->names);
    memset(s, 0, sizeof *s);
}

void adain_random_crop(float *out, const AdainImages *s, int i, int S, Rng *rng) {
    int y0 = rng_int(rng, s->h[i] - S + 1), x0 = rng_int(rng, s->w[i] - S + 1);
    int flip = rng_uniform(rng) < 0.5f;
    if (!flip) {
        image_crop(out, s->img[i], 3, s->h[i], s->w[i], y0, x0, S, S);
        return;
    }
    float *tmp = malloc(sizeof(float) * 3 * S * S);
    image_crop(tmp, s->img[i], 3, s->h[i], s->w[i], y0, x0, S, S);
    image_flip_horizontal(out, tmp, 3, S, S);
    free(tmp);
}

void adain_centre_crop(float *out, const AdainImages *s, int i, int S) {
    image_crop(out, s->img[i], 3, s->h[i], s->w[i], (s->h[i] - S) / 2, (s->w[i] - S) / 2, S, S);
}

int adain_load_splits(AdainImages *train, AdainImages *test, const char *root, int short_side,
                      Error *err) {
    char dir[1100];
    snprintf(dir, sizeof dir, "%s/train", root);
    if (adain_images_load(train, dir, short_side, err) != 0) return -1;
    snprintf(dir, sizeof dir, "%s/test", root);
    return adain_images_load(test, dir, short_side, err);
}

float *adain_centre_crops(const AdainImages *set, int S) {
    long img = 3L * S * S;
    float *out = malloc(sizeof(float) * img * set->n);
    for (int i = 0; i < set->n; i++) adain_centre_crop(out + i * img, set, i, S);
    return out;
}
