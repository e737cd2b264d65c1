// cyclegan_model.c - lesson 06's model: building the four networks, the
// step that calls your two halves, translation, the checkpoint's metadata.
// Nothing to write here; the exercises are in cyclegan_exercises.c.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cyclegan.h"

L06Config l06_default_config(void) {
    return (L06Config){.g = resnet_gen_config_w3(), .d = patchgan_config_w3(), .lambda = 10.0f,
                      .identity = 0.5f, .cycle = 1, .lr = 2e-4f, .beta1 = 0.5f,
                      .beta2 = 0.999f, .pool_size = 50};
}

void l06_pool_init(L06Pool *p, int cap, int c, int h, int w) {
    *p = (L06Pool){.cap = cap, .c = c, .h = h, .w = w};
    p->images = calloc((size_t)(cap > 0 ? cap : 1) * c * h * w, sizeof(float));
    if (!p->images) tensor_fail("cyclegan: no memory for an image pool of %d", cap);
}

void l06_pool_free(L06Pool *p) {
    free(p->images);
    p->images = NULL;
}

int l06_cyclegan_init(L06Cyclegan *c, const L06Config *cfg, int h, int w, const Rng *rng,
                      Error *err) {
    memset(c, 0, sizeof *c);
    if (cfg->d.in_ch != cfg->g.out_ch || cfg->g.in_ch != cfg->g.out_ch)
        return error_set(err, "cyclegan: G, F and both D need the same channels; the "
                              "configuration gives G %d -> %d and D %d",
                         cfg->g.in_ch, cfg->g.out_ch, cfg->d.in_ch);
    c->cfg = *cfg;
    c->rng = *rng;
    ParamSet *ps[] = {&c->ps_g, &c->ps_f, &c->ps_dx, &c->ps_dy};
    Optimizer *opt[] = {&c->opt_g, &c->opt_f, &c->opt_dx, &c->opt_dy};
    for (int i = 0; i < 4; i++) paramset_init(ps[i]);
    resnet_gen_init(&c->g, &c->ps_g, "g", &cfg->g, &c->rng);
    resnet_gen_init(&c->f, &c->ps_f, "f", &cfg->g, &c->rng);
    patchgan_init(&c->d_x, &c->ps_dx, "d_x", &cfg->d, &c->rng);
    patchgan_init(&c->d_y, &c->ps_dy, "d_y", &cfg->d, &c->rng);
    for (int i = 0; i < 4; i++)
        optim_adam_init(opt[i], ps[i], cfg->lr, cfg->beta1, cfg->beta2, 1e-8f);
    l06_pool_init(&c->pool_a, cfg->pool_size, cfg->g.out_ch, h, w);
    l06_pool_init(&c->pool_b, cfg->pool_size, cfg->g.out_ch, h, w);
    tape_init(&c->tape);
    return 0;
}

void l06_cyclegan_free(L06Cyclegan *c) {
    tape_free(&c->tape);
    optim_free(&c->opt_g), optim_free(&c->opt_f), optim_free(&c->opt_dx), optim_free(&c->opt_dy);
    paramset_free(&c->ps_g), paramset_free(&c->ps_f);
    paramset_free(&c->ps_dx), paramset_free(&c->ps_dy);
    l06_pool_free(&c->pool_a), l06_pool_free(&c->pool_b);
}

float l06_mean(const Tensor *t) {
    double s = 0.0;
    for (long i = 0; i < t->size; i++) s += t->data[i];
    return (float)(s / t->size);
}

Tensor *l06_generator(ResnetGen *m, Tape *tp, Tensor *x) {
    return resnet_gen_forward_with(m, tp, x, l06_resblock_forward);
}

static Tensor *batch_tensor(Tape *tp, const float *x, int B, int c, int h, int w) {
    Tensor *t = tape_tensor(tp, 4, (int[]){B, c, h, w}, 0);
    memcpy(t->data, x, sizeof(float) * t->size);
    return t;
}

void l06_train_step(L06Cyclegan *c, L06Stats *st, const float *a, const float *b, int B, int h,
                    int w) {
    Tape *tp = &c->tape;
    tape_reset(tp);
    int ch = c->cfg.g.in_ch;
    Tensor *A = batch_tensor(tp, a, B, ch, h, w), *Bt = batch_tensor(tp, b, B, ch, h, w);
    memset(st, 0, sizeof *st);
    Tensor *fake_a = NULL, *fake_b = NULL;
    l06_g_step(c, st, A, Bt, &fake_a, &fake_b);
    l06_d_step(c, st, A, Bt, fake_a, fake_b);
}

// Batches of 8 keep the tape small whatever n is; instance norm has no
// batch statistics, so the batch size does not change the result.
void l06_translate(L06Cyclegan *c, float *out, const float *x, int n, int h, int w, int to_b) {
    enum { CHUNK = 8 };
    int ch = c->cfg.g.in_ch;
    long image = (long)ch * h * w;
    int was = tape_set_no_grad(&c->tape, 1);
    for (int i = 0; i < n; i += CHUNK) {
        int b = n - i < CHUNK ? n - i : CHUNK;
        tape_reset(&c->tape);
        Tensor *t = batch_tensor(&c->tape, x + i * image, b, ch, h, w);
        Tensor *y = l06_generator(to_b ? &c->g : &c->f, &c->tape, t);
        memcpy(out + i * image, y->data, sizeof(float) * y->size);
    }
    tape_reset(&c->tape);
    tape_set_no_grad(&c->tape, was);
}

static const char *UPSAMPLE_NAMES[] = {"transposed", "resize"};

void l06_config_to_meta(char *meta, int n, const L06Config *c) {
    snprintf(meta, n,
             "lesson06 ngf=%d blocks=%d upsample=%s skip=%d ndf=%d n_layers=%d lambda=%g "
             "identity=%g cycle=%d pool=%d",
             c->g.ngf, c->g.n_blocks, UPSAMPLE_NAMES[c->g.upsample], c->g.input_skip, c->d.ndf, c->d.n_layers,
             c->lambda, c->identity, c->cycle, c->pool_size);
}

int l06_config_from_meta(L06Config *c, const char *meta, Error *err) {
    char up[16];
    *c = l06_default_config();
    int got = sscanf(meta,
                     "lesson06 ngf=%d blocks=%d upsample=%15s skip=%d ndf=%d n_layers=%d "
                     "lambda=%f identity=%f cycle=%d pool=%d",
                     &c->g.ngf, &c->g.n_blocks, up, &c->g.input_skip, &c->d.ndf, &c->d.n_layers, &c->lambda,
                     &c->identity, &c->cycle, &c->pool_size);
    int resize = got == 10 && strcmp(up, "resize") == 0;
    if (got != 10 || (!resize && strcmp(up, "transposed") != 0) || c->g.ngf < 1 ||
        c->g.n_blocks < 0 || c->g.n_blocks > RESNET_GEN_MAX_BLOCKS || c->d.ndf < 1 ||
        c->d.n_layers < 1 || c->d.n_layers > PATCHGAN_MAX_LAYERS)
        return error_set(err, "not a lesson 06 checkpoint (its metadata reads \"%.120s\")", meta);
    c->g.upsample = resize ? RESNET_UP_RESIZE : RESNET_UP_TRANSPOSED;
    return 0;
}
