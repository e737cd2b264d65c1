// part.c - see part.h.
#include "part.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "data/image.h"

void *l02_malloc(size_t bytes, const char *what) {
    void *q = malloc(bytes);
    if (!q) {
        fprintf(stderr, "out of memory: %s needs %zu bytes\n", what, bytes);
        exit(1);
    }
    return q;
}

// imgs (n, 1, 28, 28) = G(z), z (n, L02_FM_Z), a batch at a time (G's buffers hold one).
static void fm_generate(L02Part *p, float *imgs, const float *z, int n) {
    for (int i = 0; i < n; i += p->batch) {
        int b = n - i < p->batch ? n - i : p->batch;
        memcpy(imgs + (long)i * L02_FM_X, l02_mlp_forward(&p->gan.g, z + (long)i * L02_FM_Z, b),
               sizeof(float) * b * L02_FM_X);
    }
}

int l02_part_fm_grid(void *part, TrainLoop *loop, const char *png, Error *err) {
    (void)loop;
    static float imgs[L02_FM_GRID * L02_FM_X];
    fm_generate(part, imgs, ((L02Part *)part)->z_fixed, L02_FM_GRID);
    return image_write_grid(png, imgs, L02_FM_GRID, 1, 28, 28, 8, err);
}

int l02_part_fm_fcd(void *part, TrainLoop *loop, Error *err) {
    L02Part *p = part;
    fm_generate(p, p->fl.images, p->z_eval, EVAL_FCD_SAMPLES);
    return fcdlog_measure(&p->fl, err) != 0 ? -1 : fcdlog_write_at(&p->fl, loop, NULL, err);
}

int l02_part_fm_start(void *part, TrainLoop *loop, Error *err) {
    L02Part *p = part;
    return fcdlog_start(&p->fl, loop, p->data_dir, p->evaluator_path, "epoch", NULL, err);
}

// One part: its loop in its own folder, with both networks, the RNG and the curves.
int l02_part_run(L02Part *p, const Args *args, const char *name, const char *what,
                 TrainSpec *spec) {
    char dir[1100], title[2][128];
    snprintf(title[0], sizeof title[0], "%s: the two losses", what);
    snprintf(title[1], sizeof title[1], "%s: mean D(x) (d_real) and D(G(z)) (d_fake)", what);
    snprintf(dir, sizeof dir, "%s/%s", args->out, name);
    spec->lesson = p;
    spec->log_columns = TRAIN_GAN_COLUMNS;
    spec->progress_labels = "D,G,D(x),D(G(z))";
    spec->images_per_step = p->batch;
    spec->resume_missing_ok = 1;   // --part both, stopped in part 1: part 2 has no checkpoint yet
    static TrainLoop loop;
    train_init(&loop, args, dir, spec);
    train_add_gan(&loop, &p->gan.g.ps, &p->gan.opt_g, &p->gan.d.ps, &p->gan.opt_d, &p->rng,
                  p->batcher.order ? &p->batcher : NULL, title[0], title[1]);
    return train_main(&loop);
}

int l02_part_init(L02Part *p, const L02GanSpec *spec, int z_dim) {
    Error err;
    p->z_dim = z_dim;
    p->batch = spec->max_batch;
    p->real = l02_malloc(sizeof(float) * p->batch * spec->d_sizes[0], "the batch's real data");
    p->z = l02_malloc(sizeof(float) * p->batch * z_dim, "the batch's noise");
    if (l02_gan_init(&p->gan, spec, &p->rng, &err) == 0) return 0;
    fprintf(stderr, "%s\n", err.msg);
    return 1;
}

void l02_part_free(L02Part *p) {
    l02_gan_free(&p->gan);
    free(p->real), free(p->z), free(p->z_fixed), free(p->z_eval);
    batcher_free(&p->batcher);
    dataset_free(&p->ds);
}


int l02_part_fmnist_init(L02Part *p, const L02GanSpec *spec, int seed) {
    Error err;
    rng_seed(&p->rng, (uint64_t)seed);
    printf("fmnist: ");
    if (fcdlog_load_training(&p->ds, &p->batcher, p->data_dir, 0, 0, spec->max_batch, &err) != 0)
        return fprintf(stderr, "%s\n", err.msg), 1;
    if (l02_part_init(p, spec, L02_FM_Z) != 0) return 1;
    Rng eval_rng;
    rng_seed(&eval_rng, (uint64_t)seed + 1000);
    p->z_fixed = l02_malloc(sizeof(float) * L02_FM_GRID * L02_FM_Z, "the grid's noise");
    p->z_eval = l02_malloc(sizeof(float) * EVAL_FCD_SAMPLES * L02_FM_Z, "the FCD's noise");
    rng_fill_normal(&p->rng, p->z_fixed, L02_FM_GRID * L02_FM_Z, 0.0f, 1.0f);
    rng_fill_normal(&eval_rng, p->z_eval, EVAL_FCD_SAMPLES * L02_FM_Z, 0.0f, 1.0f);
    return 0;
}
