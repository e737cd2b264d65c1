// dcgan_run.c - see dcgan_run.h.
#include "dcgan_run.h"

#include <stdio.h>
#include <stdlib.h>

void *l03_malloc(size_t bytes, const char *what) {
    void *p = malloc(bytes);
    if (!p) {
        fprintf(stderr, "out of memory: %s needs %zu bytes\n", what, bytes);
        exit(1);
    }
    return p;
}

int l03_run_init(L03Run *r, const Args *args, const L03Options *o) {
    Error err;
    if (fcdlog_load_training(&r->ds, &r->batcher, r->data_dir, 0, o->images, args->batch,
                             &err) != 0)
        return fprintf(stderr, "%s\n", err.msg), 1;
    rng_seed(&r->rng, (uint64_t)args->seed);
    if (l03_dcgan_init(&r->gan, args->lr, &r->rng, &err) != 0)
        return fprintf(stderr, "%s\n", err.msg), 1;
    r->gan.real_label = o->real_label;
    if (o->lr_d > 0.0f) r->gan.opt_d.lr = o->lr_d;
    r->gan.opt_g.beta1 = r->gan.opt_d.beta1 = o->beta1;
    // The grid's and the FCD's z have their own generator: a resumed run draws the same ones.
    Rng z_rng;
    rng_seed(&z_rng, (uint64_t)args->seed + 1000003u);
    int B = r->batch = args->batch;
    r->z_fixed = l03_malloc(sizeof(float) * L03_GRID * 100, "the grids' noise");
    r->z_eval = l03_malloc(sizeof(float) * EVAL_FCD_SAMPLES * 100, "the FCD's noise");
    r->real = l03_malloc(sizeof(float) * B * 28 * 28, "the batch's images");
    r->z = l03_malloc(sizeof(float) * B * 100, "the batch's noise");
    rng_fill_normal(&z_rng, r->z_fixed, L03_GRID * 100, 0.0f, 1.0f);
    rng_fill_normal(&z_rng, r->z_eval, EVAL_FCD_SAMPLES * 100, 0.0f, 1.0f);
    printf("W1 DCGAN: G %ld parameters, D %ld; %d images, batch %d (%d steps an epoch), lr G %g "
           "D %g, beta1 %g, real label %g\n", r->gan.ps_g.size, r->gan.ps_d.size, r->ds.n, B,
           batcher_batches_per_epoch(&r->batcher), r->gan.opt_g.lr, r->gan.opt_d.lr, o->beta1,
           o->real_label);
    return 0;
}

void l03_run_free(L03Run *r) {
    free(r->z_fixed), free(r->z_eval), free(r->real), free(r->z);
    batcher_free(&r->batcher);
    l03_dcgan_free(&r->gan);
    dataset_free(&r->ds);
}
