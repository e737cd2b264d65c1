// pix2pix_tools.c - see pix2pix_tools.h.
#include "pix2pix_tools.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "train/checkpoint.h"

void *l05_malloc(size_t bytes, const char *what) {
    void *p = malloc(bytes);
    if (!p) {
        fprintf(stderr, "out of memory: %s needs %zu bytes\n", what, bytes);
        exit(1);
    }
    return p;
}

void l05_evaluate_set(L05Pix2pix *p, L05Metrics *m, float *out_buf, const PairedSet *set,
                      int count) {
    enum { CHUNK = 8 };
    int h = set->h, w = set->w, cx = set->c_x, cy = set->c_y;
    float *x = l05_malloc(sizeof(float) * CHUNK * cx * h * w, "a batch of inputs");
    float *y = l05_malloc(sizeof(float) * CHUNK * cy * h * w, "a batch of targets");
    float *out = out_buf ? NULL : l05_malloc(sizeof(float) * CHUNK * cy * h * w, "G's outputs");
    l05_metrics_init(m);
    int n = count < set->n ? count : set->n;
    for (int i = 0; i < n; i += CHUNK) {
        int b = n - i < CHUNK ? n - i : CHUNK;
        for (int k = 0; k < b; k++)
            paired_get(x + (long)k * cx * h * w, y + (long)k * cy * h * w, set,
                       (int)((long)(i + k) * set->n / n), 0, 0, h, w, 0);
        float *o = out_buf ? out_buf + (long)i * cy * h * w : out;
        l05_generate(p, o, x, b, h, w);
        l05_metrics_add(m, o, y, x, cx, b, cy, h, w);
    }
    free(x);
    free(y);
    free(out);
}

void l05_strip_pairs(float *xs, float *ys, const PairedSet *val, int n) {
    static const char *PICKS[] = {"smiley.png", "fox_face.png", "green_apple.png", "tulip.png",
                                  "christmas_tree.png", "orange_heart.png", "duck.png",
                                  "star.png"};
    int h = val->h, w = val->w, got = 0;
    for (size_t k = 0; k < sizeof PICKS / sizeof PICKS[0] && got < n; k++)
        for (int i = 0; i < val->n; i++)
            if (strcmp(val->names[i], PICKS[k]) == 0) {
                paired_get(xs + (long)got * val->c_x * h * w, ys + (long)got * val->c_y * h * w,
                           val, i, 0, 0, h, w, 0);
                got++;
                break;
            }
    int rest = n - got;
    for (int i = 0; i < rest; i++, got++)
        paired_get(xs + (long)got * val->c_x * h * w, ys + (long)got * val->c_y * h * w, val,
                   (int)((long)i * val->n / rest), 0, 0, h, w, 0);
}

int l05_load_checkpoint(L05Pix2pix *p, const char *path, int batch_stats, Error *err) {
    CheckpointInfo info;
    L05Config cfg;
    if (checkpoint_read_info(path, &info, err) != 0) return -1;
    Rng rng;
    rng_seed(&rng, 1);
    if (l05_config_from_meta(&cfg, info.meta, err) != 0 ||
        l05_pix2pix_init(p, &cfg, &rng, err) != 0) {
        char msg[ERROR_MSG_MAX];
        snprintf(msg, sizeof msg, "%s", err->msg);
        return error_set(err, "%s: %s", path, msg);
    }
    CheckpointModel models[2] = {{"G", &p->ps_g, NULL}, {"D", &p->ps_d, NULL}};
    if (checkpoint_load_networks(path, models, 2, NULL, err) != 0) {
        l05_pix2pix_free(p);
        return -1;
    }
    p->test_batch_stats = batch_stats;
    printf("%s: %s, trained %ld steps (%s)%s\n", path,
           cfg.g.no_skips ? "encoder-decoder" : "U-Net", info.step, info.meta,
           batch_stats ? "; batch statistics and dropout" : "");
    return 0;
}

int l05_load_split(PairedSet *set, const char *data, const char *direction, const char *split,
                      int size, Error *err) {
    char dir[1100];
    PairedDirection d;
    snprintf(dir, sizeof dir, "%s/%s", data, split);
    if (paired_parse_direction(&d, direction, err) != 0) return -1;
    if (paired_load(set, dir, d, 3, 3, size, size, err) == 0) return 0;
    if (strstr(data, "datasets/emoji"))
        fprintf(stderr, "The emoji pairs are made by `make datasets` "
                        "(`make run LESSON=05` runs it when they are missing).\n");
    return -1;
}

void l05_print_metrics(const char *what, const L05Metrics *m) {
    printf("%s (%d pairs): L1 %.4f  PSNR %.2f dB  sharpness %.3f  fill sharpness %.3f  colour "
           "%.3f\n", what, m->images, l05_metrics_l1(m), l05_metrics_psnr(m),
           l05_metrics_sharpness(m), l05_metrics_fill_sharpness(m), l05_metrics_colour(m));
}

int l05_write_metrics(const char *path, const L05Config *c, long steps, const L05Metrics *m,
                      Error *err) {
    FILE *f = fopen(path, "w");
    if (!f) return error_set(err, "%s: cannot write: %s", path, strerror(errno));
    fprintf(f, "loss %s\nnetG %s\nsteps %ld\nval_pairs %d\nval_l1 %.4f\nval_psnr %.2f\n"
            "val_sharpness %.3f\nval_fill_sharpness %.3f\nval_colour %.3f\n",
            l05_loss_name(c->loss), c->g.no_skips ? "encdec" : "unet", steps, m->images,
            l05_metrics_l1(m), l05_metrics_psnr(m), l05_metrics_sharpness(m),
            l05_metrics_fill_sharpness(m), l05_metrics_colour(m));
    int rc = ferror(f) ? error_set(err, "%s: write error", path) : 0;
    fclose(f);
    return rc;
}
