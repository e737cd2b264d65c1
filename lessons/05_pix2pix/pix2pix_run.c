// pix2pix_run.c - see pix2pix_run.h.
#include "pix2pix_run.h"

#include <stdio.h>
#include <stdlib.h>

// What one of D's logits sees of the image: your exercise 5.3.
static void print_networks(const L05Run *r, const L05Config *cfg) {
    L05Conv convs[PATCHGAN_MAX_LAYERS + 2];
    L05Field field = l05_receptive_field(convs, l05_patchgan_convs(convs, &cfg->d));
    int patches = r->S / (1 << cfg->d.n_layers) - 2;
    printf("G: %s, ngf %d, depth %d, %ld parameters\n", cfg->g.no_skips ? "encoder-decoder" : "U-Net",
           cfg->g.ngf, cfg->g.depth, r->p.ps_g.size);
    if (cfg->loss != L05_LOSS_L1)
        printf("D: PatchGAN, ndf %d, %d layers, %ld parameters: %dx%d logits, each seeing a "
               "%dx%d window (%d px apart, the first starting at %d)\n", cfg->d.ndf,
               cfg->d.n_layers, r->p.ps_d.size, patches, patches, field.size, field.size,
               field.jump, field.start);
    printf("loss: %s, lambda %g; batch %d, Adam lr %g\n", l05_loss_name(cfg->loss), cfg->lambda,
           r->B, cfg->lr);
}

int l05_run_init(L05Run *r, const Args *args, const L05Config *cfg, const L05RunOptions *o) {
    int crop = o->crop;
    r->B = args->batch, r->S = crop, r->strip_count = o->strip_count, r->val_count = o->val_count;
    Error err;
    printf("data: %s (%s)\n", o->data, o->direction);
    if (paired_check_fits(crop, crop, cfg->g.depth, &err) != 0 ||
        l05_load_split(&r->train_set, o->data, o->direction, "train", o->load_size, &err) != 0 ||
        l05_load_split(&r->val_set, o->data, o->direction, "val", crop, &err) != 0 ||
        paired_batcher_init(&r->batches, &r->train_set, r->B, 1, crop, crop, !o->no_flip,
                            &err) != 0) {
        fprintf(stderr, "%s\n", err.msg);
        return 1;
    }
    printf("data: %d training pairs (loaded at %d, random %dx%d crops%s), %d validation pairs\n",
           r->train_set.n, o->load_size, crop, crop, o->no_flip ? "" : " and flips", r->val_set.n);
    Rng rng;
    rng_seed(&rng, (uint64_t)args->seed);
    if (l05_pix2pix_init(&r->p, cfg, &rng, &err) != 0) {
        fprintf(stderr, "%s\n", err.msg);
        return 1;
    }
    long image = 3L * crop * crop;
    size_t batch = sizeof(float) * r->B * image, strip = sizeof(float) * r->strip_count * image;
    r->x = l05_malloc(batch, "the batch's inputs"), r->y = l05_malloc(batch, "the batch's targets");
    r->sx = l05_malloc(strip, "the strips' inputs");
    r->sy = l05_malloc(strip, "the strips' targets");
    r->so = l05_malloc(strip, "the strips' outputs");
    l05_strip_pairs(r->sx, r->sy, &r->val_set, r->strip_count);
    print_networks(r, cfg);
    return 0;
}

void l05_run_free(L05Run *r) {
    free(r->x), free(r->y), free(r->sx), free(r->sy), free(r->so);
    paired_batcher_free(&r->batches);
    l05_pix2pix_free(&r->p);
    paired_free(&r->train_set);
    paired_free(&r->val_set);
}
