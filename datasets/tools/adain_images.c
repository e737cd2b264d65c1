// adain_images - turns the source images of lesson 07's content and style
// sets into PNGs whose short side is SIDE pixels:
//
//     adain_images LIST
//
// LIST has one line per image, "SOURCE<TAB>DESTINATION.png". A source is a
// PNG or JPEG (image_read), or a GIMP pattern (*.pat). A photo or painting
// is scaled, aspect ratio kept, so that its short side is SIDE; a pattern
// smaller than that is a repeating tile, so it is tiled (not blown up) to
// SIDE x SIDE, keeping the texture's own scale. Transparency is composited
// onto white (as image_read does). Output folders must exist
// (datasets/fetch_adain.sh makes them). Stops at the first bad file, naming it.
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/error.h"
#include "data/image.h"
#include "train/progress.h"

#define SIDE 256

// ---------------------------------------------------------------- GIMP patterns

// A .pat file (GIMP's devel-docs/pat.txt): a big-endian header of 32-bit
// words, header_size, version (1), width, height, bytes per pixel (1 gray,
// 2 gray + alpha, 3 RGB, 4 RGBA), magic "GPAT", then the pattern's name
// (UTF-8, NUL-terminated) up to header_size, then width x height pixels,
// interleaved, row by row.
#define PAT_MAX_BYTES (64L << 20)

static uint32_t be32(const uint8_t *p) {
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

// *out (3, H, W) in [-1, 1], RGB, alpha composited onto white.
static int read_pat(float **out, int *h, int *w, const char *path, Error *err) {
    FILE *f = fopen(path, "rb");
    if (!f) return error_set(err, "%s: cannot open", path);
    uint8_t head[24];
    if (fread(head, 1, sizeof head, f) != sizeof head) {
        fclose(f);
        return error_set(err, "%s: expected a 24-byte GIMP pattern header, file is shorter", path);
    }
    uint32_t header_size = be32(head), version = be32(head + 4), pw = be32(head + 8),
             ph = be32(head + 12), bytes = be32(head + 16);
    if (memcmp(head + 20, "GPAT", 4) != 0 || version != 1) {
        fclose(f);
        return error_set(err, "%s: expected a GIMP pattern (magic GPAT, version 1), found magic "
                              "%02x %02x %02x %02x, version %u", path, head[20], head[21], head[22],
                         head[23], (unsigned)version);
    }
    if (pw < 1 || ph < 1 || pw > IMAGE_MAX_SIDE || ph > IMAGE_MAX_SIDE || bytes < 1 || bytes > 4 ||
        header_size < 24 || header_size > 4096) {
        fclose(f);
        return error_set(err, "%s: expected 1..%d pixels a side, 1..4 bytes a pixel and a header "
                              "of 24..4096 bytes, found %ux%u, %u, %u", path, IMAGE_MAX_SIDE,
                         (unsigned)pw, (unsigned)ph, (unsigned)bytes, (unsigned)header_size);
    }
    size_t n = (size_t)pw * ph * bytes;
    uint8_t *px = malloc(n);
    if (!px) {
        fclose(f);
        return error_set(err, "%s: out of memory for %ux%u pixels", path, (unsigned)pw, (unsigned)ph);
    }
    size_t got = 0;
    if (fseek(f, (long)header_size, SEEK_SET) == 0) got = fread(px, 1, n, f);
    fclose(f);
    if (got != n) {
        free(px);
        return error_set(err, "%s: truncated GIMP pattern: expected %zu bytes of pixels, found %zu",
                         path, n, got);
    }
    size_t plane = (size_t)pw * ph;
    float *img = malloc(sizeof(float) * 3 * plane);
    if (!img) {
        free(px);
        return error_set(err, "%s: out of memory for %ux%u pixels", path, (unsigned)pw, (unsigned)ph);
    }
    for (size_t i = 0; i < plane; i++) {
        const uint8_t *p = px + i * bytes;
        float a = (bytes == 2 || bytes == 4) ? p[bytes - 1] / 255.0f : 1.0f;
        for (int k = 0; k < 3; k++) {
            float v = bytes <= 2 ? p[0] : p[k];
            float u = a * v + (1.0f - a) * 255.0f;
            img[k * plane + i] = image_u8_to_float((uint8_t)(u + 0.5f));
        }
    }
    free(px);
    *out = img;
    *h = (int)ph;
    *w = (int)pw;
    return 0;
}

// ---------------------------------------------------------------- scaling

// out (C, H/2, W/2) = the mean of each 2x2 block of in (C, H, W) (an odd
// last row or column is dropped).
static void halve(float *out, const float *in, int c, int h, int w) {
    int oh = h / 2, ow = w / 2;
    for (int k = 0; k < c; k++)
        for (int y = 0; y < oh; y++)
            for (int x = 0; x < ow; x++) {
                const float *p = in + ((size_t)k * h + 2 * y) * w + 2 * x;
                out[((size_t)k * oh + y) * ow + x] = 0.25f * (p[0] + p[1] + p[w] + p[w + 1]);
            }
}

// Scales *img (C, *h, *w) so that its short side is `side`, in place of
// *img. Bilinear resampling alone would skip most pixels of a 5120-pixel
// wallpaper and alias its fine detail, so it first averages 2x2 blocks
// while the image is at least twice too large, then resamples the rest.
static int scale_short_side(float **img, int c, int *h, int *w, int side, Error *err) {
    while ((*h < *w ? *h : *w) >= 2 * side) {
        float *half = malloc(sizeof(float) * c * (*h / 2) * (*w / 2));
        if (!half) return error_set(err, "out of memory halving a %dx%d image", *w, *h);
        halve(half, *img, c, *h, *w);
        free(*img);
        *img = half;
        *h /= 2;
        *w /= 2;
    }
    int oh, ow;
    if (*h <= *w) oh = side, ow = (int)((long)*w * side * 2 / *h + 1) / 2;   // rounded
    else ow = side, oh = (int)((long)*h * side * 2 / *w + 1) / 2;
    float *out = malloc(sizeof(float) * c * oh * ow);
    if (!out) return error_set(err, "out of memory for a %dx%d image", ow, oh);
    image_resize(out, *img, c, *h, *w, oh, ow);
    free(*img);
    *img = out;
    *h = oh;
    *w = ow;
    return 0;
}

// *img (C, side, side) = *img (C, h, w) repeated (h, w < side).
static int tile(float **img, int c, int *h, int *w, int side, Error *err) {
    float *out = malloc(sizeof(float) * c * side * side);
    if (!out) return error_set(err, "out of memory for a %dx%d tiling", side, side);
    for (int k = 0; k < c; k++)
        for (int y = 0; y < side; y++)
            for (int x = 0; x < side; x++)
                out[((size_t)k * side + y) * side + x] =
                    (*img)[((size_t)k * *h + y % *h) * *w + x % *w];
    free(*img);
    *img = out;
    *h = *w = side;
    return 0;
}

// ---------------------------------------------------------------- main

static int ends_with(const char *s, const char *suffix) {
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && strcmp(s + n - m, suffix) == 0;
}

static int convert_one(const char *src, const char *dst, Error *err) {
    float *img = NULL;
    int c = 3, h, w;
    int pattern = ends_with(src, ".pat");
    if (pattern ? read_pat(&img, &h, &w, src, err) : image_read(&img, &c, &h, &w, src, 3, err))
        return -1;
    int status;
    if (pattern && h < SIDE && w < SIDE) status = tile(&img, c, &h, &w, SIDE, err);
    else status = scale_short_side(&img, c, &h, &w, SIDE, err);
    if (status != 0) {
        char why[ERROR_MSG_MAX];
        snprintf(why, sizeof why, "%s", err->msg);
        error_set(err, "%s: %s", src, why);
    } else {
        status = image_write_png(dst, img, c, h, w, err);
    }
    free(img);
    return status;
}

int main(int argc, char **argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: adain_images LIST   (lines: SOURCE<TAB>DESTINATION.png)\n");
        return 2;
    }
    FILE *list = fopen(argv[1], "r");
    if (!list) {
        fprintf(stderr, "adain_images: %s: cannot open\n", argv[1]);
        return 1;
    }
    char line[8192];
    int n = 0, line_no = 0, total = 0;
    while (fgets(line, sizeof line, list)) total += line[0] != '\n';
    rewind(list);
    Progress progress;   // a 5120-pixel PNG takes a second or two to decode
    progress_init(&progress, stderr, 0, total, 0, 10.0);
    Error err;
    while (fgets(line, sizeof line, list)) {
        line_no++;
        line[strcspn(line, "\r\n")] = '\0';
        if (line[0] == '\0') continue;
        char *tab = strchr(line, '\t');
        if (!tab || !ends_with(tab + 1, ".png")) {
            fprintf(stderr, "adain_images: %s:%d: expected SOURCE<TAB>DESTINATION.png, found \"%s\"\n",
                    argv[1], line_no, line);
            fclose(list);
            return 1;
        }
        *tab = '\0';
        if (convert_one(line, tab + 1, &err) != 0) {
            fprintf(stderr, "adain_images: %s\n", err.msg);
            fclose(list);
            return 1;
        }
        n++;
        progress_update(&progress, n, "images");
    }
    progress_done(&progress);
    fclose(list);
    printf("adain_images: wrote %d images (short side %d)\n", n, SIDE);
    return 0;
}
