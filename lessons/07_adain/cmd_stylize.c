// cmd_stylize.c - lesson 07's `stylize` program: your own photos (PNG or
// JPEG, any size) in the style of any image, through a trained decoder.
//
//     make run LESSON=07 SOLUTIONS=1 PROGRAM=stylize ARGS="--checkpoint runs/07_adain/<run>/checkpoint.bin
//         --content my_photo.jpg --style painting.jpg --output styled.png"
//
// --style a.png,b.jpg --weights 1,3 mixes two styles (weights normalised);
// --alpha 0.5 keeps half the content's look; --preserve-colour keeps the
// content's colours (each style image is first re-coloured to the content's
// per-channel pixel mean and std); --grid writes a content x style grid of
// every --content with every --style; --alpha-row K writes the first content
// and style at K alphas from 0 to 1. --size N (default 512) scales each
// image's short side to N and crops both sides to multiples of 8; --size 0
// keeps the files' sizes, which must then fit the rule (both sides multiples
// of 8, at least 16). The encoder is the run's encoder.bin, next to the
// checkpoint, unless --encoder names another; a decoder refuses an encoder
// it was not trained with.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "adain_tools.h"
#include "train/args.h"
#include "kernels/gemm.h"
#include "data/image.h"
#include "train/progress.h"

#define MAX_IMAGES 16

typedef struct {
    float *img;
    int h, w;
} Picture;

// Reads path, scales its short side to size (0: as it is), crops to multiples of 8.
static int load_picture(Picture *p, const char *path, int size, Error *err) {
    float *raw;
    int c, h, w;
    if (image_read(&raw, &c, &h, &w, path, 3, err) != 0) return -1;
    if (size > 0) {
        int nh = h <= w ? size : (int)((long)h * size / w), nw = h <= w ? (int)((long)w * size / h) : size;
        float *scaled = malloc(sizeof(float) * 3 * nh * nw);
        image_resize(scaled, raw, 3, h, w, nh, nw);
        free(raw);
        raw = scaled, h = nh, w = nw;
        int ch = h / 8 * 8, cw = w / 8 * 8;
        if (ch != h || cw != w) {
            float *crop = malloc(sizeof(float) * 3 * ch * cw);
            image_crop(crop, raw, 3, h, w, (h - ch) / 2, (w - cw) / 2, ch, cw);
            free(raw);
            raw = crop, h = ch, w = cw;
        }
    }
    if (adain_check_size(h, w, path, err) != 0) {
        free(raw);
        return -1;
    }
    p->img = raw, p->h = h, p->w = w;
    return 0;
}

// Splits a comma-separated list in place; returns the count (at most MAX_IMAGES).
static int split(char *list, char **items) {
    int n = 0;
    for (char *tok = strtok(list, ","); tok && n < MAX_IMAGES; tok = strtok(NULL, ",")) items[n++] = tok;
    return n;
}

static int load_list(Picture *ps, char *list, int size, int *n, Error *err) {
    char *names[MAX_IMAGES];
    *n = split(list, names);
    for (int i = 0; i < *n; i++)
        if (load_picture(&ps[i], names[i], size, err) != 0) return -1;
    return 0;
}

// One content with every style mixed by weights (colour-preserved when asked).
static void stylize_one(AdainNet *n, float *out, const Picture *c, const Picture *styles,
                        const float *weights, int ns, float alpha, int preserve) {
    const float *imgs[MAX_IMAGES];
    int sh[MAX_IMAGES], sw[MAX_IMAGES];
    float *recoloured[MAX_IMAGES] = {0};
    for (int k = 0; k < ns; k++) {
        imgs[k] = styles[k].img, sh[k] = styles[k].h, sw[k] = styles[k].w;
        if (preserve) {
            recoloured[k] = malloc(sizeof(float) * 3 * sh[k] * sw[k]);
            adain_colour_transfer(recoloured[k], styles[k].img, sh[k], sw[k], c->img, c->h, c->w);
            imgs[k] = recoloured[k];
        }
    }
    adain_stylize(n, out, c->img, c->h, c->w, imgs, sh, sw, weights, ns, alpha);
    for (int k = 0; k < ns; k++) free(recoloured[k]);
}

// Cells of a grid must share one size: every picture cropped to the smallest.
static void crop_all(Picture *ps, int n, int h, int w) {
    for (int i = 0; i < n; i++) {
        if (ps[i].h == h && ps[i].w == w) continue;
        float *c = malloc(sizeof(float) * 3 * h * w);
        image_crop(c, ps[i].img, 3, ps[i].h, ps[i].w, (ps[i].h - h) / 2, (ps[i].w - w) / 2, h, w);
        free(ps[i].img);
        ps[i].img = c, ps[i].h = h, ps[i].w = w;
    }
}

static int write_grid(AdainNet *n, const char *out, Picture *cs, int nc, Picture *ss, int ns,
                      float alpha, int preserve, int alpha_row, Error *err) {
    int h = cs[0].h, w = cs[0].w;
    for (int i = 0; i < nc; i++) h = cs[i].h < h ? cs[i].h : h, w = cs[i].w < w ? cs[i].w : w;
    for (int i = 0; i < ns; i++) h = ss[i].h < h ? ss[i].h : h, w = ss[i].w < w ? ss[i].w : w;
    crop_all(cs, nc, h, w);
    crop_all(ss, ns, h, w);
    long img = 3L * h * w;
    int cols = alpha_row > 0 ? alpha_row + 2 : ns + 1, rows = alpha_row > 0 ? 1 : nc + 1;
    float *all = malloc(sizeof(float) * img * cols * rows);
    if (alpha_row > 0) {
        memcpy(all, cs[0].img, sizeof(float) * img);
        for (int k = 0; k < alpha_row; k++)
            stylize_one(n, all + (k + 1) * img, &cs[0], &ss[0], (float[]){1}, 1,
                        alpha_row > 1 ? (float)k / (alpha_row - 1) : 1.0f, preserve);
        memcpy(all + (alpha_row + 1) * img, ss[0].img, sizeof(float) * img);
    } else {
        for (long k = 0; k < img; k++) all[k] = 1.0f;
        for (int j = 0; j < ns; j++) memcpy(all + (j + 1) * img, ss[j].img, sizeof(float) * img);
        for (int i = 0; i < nc; i++) {
            float *row = all + (long)(i + 1) * cols * img;
            memcpy(row, cs[i].img, sizeof(float) * img);
            for (int j = 0; j < ns; j++)
                stylize_one(n, row + (j + 1) * img, &cs[i], &ss[j], (float[]){1}, 1, alpha, preserve);
        }
    }
    int rc = image_write_grid(out, all, cols * rows, 3, h, w, cols, err);
    free(all);
    return rc;
}

int main(int argc, char **argv) {
    Args args;
    args_init(&args, "07_adain", "stylise PNG or JPEG images with a trained AdaIN decoder");
    const char *checkpoint = NULL, *encoder = NULL, *content = NULL, *style = NULL, *weights = NULL;
    const char *out = NULL;
    float alpha = 1.0f;
    int size = 512, preserve = 0, grid = 0, alpha_row = 0;
    args_add_string(&args, "checkpoint", &checkpoint, "the trained decoder (a run's checkpoint.bin)");
    args_add_string(&args, "encoder", &encoder, "its encoder (default: encoder.bin beside the checkpoint)");
    args_add_string(&args, "content", &content, "content image(s), comma-separated");
    args_add_string(&args, "style", &style, "style image(s), comma-separated");
    args_add_string(&args, "weights", &weights, "one weight per style (default: equal)");
    args_add_float(&args, "alpha", &alpha, "0: the content, 1: full style");
    args_add_int(&args, "size", &size, "short side in pixels (0: keep, must fit the size rule)");
    args_add_bool(&args, "preserve-colour", &preserve, "keep the content's colours");
    args_add_bool(&args, "grid", &grid, "a content x style grid instead of one mixed image");
    args_add_int(&args, "alpha-row", &alpha_row, "K > 1: the first content and style at K alphas");
    args_add_string(&args, "output", &out, "the PNG to write");
    int code = args_parse_or_usage(&args, argc, argv);
    if (code >= 0) return code;
    if (!checkpoint || !content || !style || !out)
        return args_usage_error(&args, "needs --checkpoint, --content, --style and --output");
    if (!(alpha >= 0.0f && alpha <= 1.0f) || size < 0 || alpha_row < 0 || alpha_row > 32 ||
        (size > 0 && (size < 16 || size > 4096)))
        return args_usage_error(&args, "--alpha 0 to 1, --size 0 or 16 to 4096, --alpha-row 0 to 32");
    compute_set_threads(args.threads);
    char enc_path[1100], *clist = strdup(content), *slist = strdup(style);
    if (!encoder) {
        snprintf(enc_path, sizeof enc_path, "%s", checkpoint);
        char *slash = strrchr(enc_path, '/');
        snprintf(slash ? slash + 1 : enc_path, sizeof enc_path - (slash ? (size_t)(slash + 1 - enc_path) : 0),
                 "encoder.bin");
        encoder = enc_path;
    }
    Error err;
    AdainNet n;
    Picture cs[MAX_IMAGES] = {0}, ss[MAX_IMAGES] = {0};
    int nc = 0, ns = 0, rc = adain_load_trained(&n, checkpoint, encoder, &err);
    float w[MAX_IMAGES];
    if (rc == 0) rc = load_list(cs, clist, size, &nc, &err);
    if (rc == 0) rc = load_list(ss, slist, size, &ns, &err);
    for (int k = 0; k < ns; k++) w[k] = 1.0f;
    if (rc == 0 && weights) {
        char *wl = strdup(weights), *items[MAX_IMAGES];
        int nw = split(wl, items);
        for (int k = 0; k < nw && k < ns; k++) w[k] = strtof(items[k], NULL);
        free(wl);
        int bad = nw != ns;
        for (int k = 0; k < ns; k++) bad |= !(w[k] >= 0.0f);
        if (bad) rc = error_set(&err, "--weights: expected %d weights at least 0 (one per style), "
                                "found '%s'", ns, weights);
    }
    if (rc == 0) {
        double t0 = progress_now();
        if (grid || alpha_row > 0) {
            rc = write_grid(&n, out, cs, nc, ss, ns, alpha, preserve, alpha_row, &err);
        } else {
            float *img = malloc(sizeof(float) * 3 * cs[0].h * cs[0].w);
            stylize_one(&n, img, &cs[0], ss, w, ns, alpha, preserve);
            printf("stylised %dx%d (width x height) in %.0f ms\n", cs[0].w, cs[0].h,
                   1000.0 * (progress_now() - t0));
            rc = image_write_png(out, img, 3, cs[0].h, cs[0].w, &err);
            free(img);
        }
        if (rc == 0) printf("wrote %s\n", out);
    }
    if (rc != 0) fprintf(stderr, "%s\n", err.msg);
    for (int i = 0; i < MAX_IMAGES; i++) free(cs[i].img), free(ss[i].img);
    free(clist), free(slist);
    adain_free(&n);
    return rc == 0 ? 0 : 1;
}
