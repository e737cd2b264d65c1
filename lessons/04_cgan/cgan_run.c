// cgan_run.c - see cgan_run.h.
#include "cgan_run.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void *l04_malloc(size_t bytes, const char *what) {
    void *p = malloc(bytes);
    if (!p) {
        fprintf(stderr, "out of memory: %s needs %zu bytes\n", what, bytes);
        exit(1);
    }
    return p;
}

int l04_run_init(L04Run *r, const Args *args) {
    Error err;
    if (fcdlog_load_training(&r->ds, &r->batcher, r->data_dir, 1, 0, args->batch, &err) != 0)
        return fprintf(stderr, "%s\n", err.msg), 1;
    rng_seed(&r->rng, (uint64_t)args->seed);
    L04Config cfg = l04_default_config();
    cfg.lr = args->lr;
    if (l04_cgan_init(&r->gan, &cfg, &r->rng, &err) != 0)
        return fprintf(stderr, "%s\n", err.msg), 1;
    int B = r->B = args->batch, Z = cfg.z_dim, K = cfg.n_classes;
    Rng fixed;
    rng_seed(&fixed, (uint64_t)args->seed + 1000);
    r->z_grid = l04_malloc(sizeof(float) * L04_GRID_COLS * Z, "the grid's noise");
    r->z_eval = l04_malloc(sizeof(float) * EVAL_FCD_SAMPLES * Z, "the evaluation's noise");
    r->eval_labels = l04_malloc(sizeof(int) * EVAL_FCD_SAMPLES, "the evaluation's classes");
    rng_fill_normal(&fixed, r->z_grid, L04_GRID_COLS * Z, 0.0f, 1.0f);
    rng_fill_normal(&fixed, r->z_eval, EVAL_FCD_SAMPLES * Z, 0.0f, 1.0f);
    for (int i = 0; i < EVAL_FCD_SAMPLES; i++) r->eval_labels[i] = i % K;
    r->real = l04_malloc(sizeof(float) * B * 28 * 28, "the batch's images");
    r->z = l04_malloc(sizeof(float) * B * Z, "the batch's noise");
    r->real_labels = l04_malloc(sizeof(int) * B, "the batch's classes");
    r->fake_labels = l04_malloc(sizeof(int) * B, "the fakes' classes");
    printf("cGAN: %d images of %d classes, G %d-%d-%d-%d, D %d-%d-%d-1 with a %dx%d projection, "
           "batch %d, lr %g, %d steps an epoch\n", r->ds.n, K, Z + K, cfg.g_hidden[0],
           cfg.g_hidden[1], 28 * 28, 28 * 28 + K, cfg.d_hidden[0], cfg.d_hidden[1], K,
           cfg.d_hidden[1], B, cfg.lr, batcher_batches_per_epoch(&r->batcher));
    return 0;
}

int l04_run_results(L04Run *r, TrainLoop *loop, Error *err) {
    char path[OUTPUTS_PATH_LEN];
    snprintf(path, sizeof path, "%s/results.txt", loop->dir);
    FILE *f = fopen(path, "w");
    if (!f) return error_set(err, "%s: cannot write: %s", path, strerror(errno));
    for (int k = 0; k < 2; k++) {
        FILE *o = k ? f : stdout;
        fprintf(o, "steps %ld (%.2f epochs)\nFCD %.2f  (untrained G, the ceiling: %.2f; training "
                "vs test images, the floor: %.2f)\n", loop->step, train_epoch(loop), r->fl.fcd,
                r->fl.untrained, r->fl.ev.fcd_floor);
        fprintf(o, "samples classified as the requested class: %.1f%%\n", 100.0f * r->accuracy);
        for (int c = 0; c < EVAL_CLASSES; c++)
            fprintf(o, "  %-12s %5.1f%%\n", evaluator_class_names[c], 100.0f * r->per_class[c]);
        fprintf(o, "(the classifier is right on %.1f%% of the real test images)\n",
                100.0f * r->fl.ev.test_accuracy);
    }
    int rc = ferror(f) ? error_set(err, "%s: write error", path) : 0;
    fclose(f);
    train_add_file(loop, "results.txt", TRAIN_FILE_DATA);
    return rc;
}

void l04_run_free(L04Run *r) {
    free(r->real), free(r->z), free(r->z_grid), free(r->z_eval);
    free(r->real_labels), free(r->fake_labels), free(r->eval_labels);
    batcher_free(&r->batcher);
    l04_cgan_free(&r->gan);
    dataset_free(&r->ds);
}
