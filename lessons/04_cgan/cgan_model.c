// cgan_model.c - building lesson 04's two networks, the one-hot labels, and
// sampling. Nothing to write here; the exercises are in cgan_exercises.c.
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cgan.h"

L04Config l04_default_config(void) {
    return (L04Config){
        .z_dim = 100, .n_classes = 10, .h = 28, .w = 28,
        .g_hidden = {256, 512}, .d_hidden = {512, 256},
        .lr = 5e-4f, .beta1 = 0.5f, .beta2 = 0.999f,
    };
}

int l04_cgan_init(L04Cgan *gan, const L04Config *cfg, Rng *rng, Error *err) {
    memset(gan, 0, sizeof *gan);
    if (cfg->z_dim < 1 || cfg->n_classes < 1 || cfg->h < 1 || cfg->w < 1 ||
        cfg->g_hidden[0] < 1 || cfg->g_hidden[1] < 1 || cfg->d_hidden[0] < 1 ||
        cfg->d_hidden[1] < 1)
        return error_set(err, "cgan: every size must be positive; the configuration gives "
                              "Z %d, K %d, %dx%d images, G %d-%d, D %d-%d",
                         cfg->z_dim, cfg->n_classes, cfg->h, cfg->w, cfg->g_hidden[0],
                         cfg->g_hidden[1], cfg->d_hidden[0], cfg->d_hidden[1]);
    gan->cfg = *cfg;
    int Z = cfg->z_dim, K = cfg->n_classes, X = cfg->h * cfg->w;
    paramset_init(&gan->ps_g);
    nn_linear_init(&gan->g1, &gan->ps_g, "g.fc1", Z + K, cfg->g_hidden[0], 1, rng);
    nn_linear_init(&gan->g2, &gan->ps_g, "g.fc2", cfg->g_hidden[0], cfg->g_hidden[1], 1, rng);
    nn_linear_init(&gan->g3, &gan->ps_g, "g.fc3", cfg->g_hidden[1], X, 1, rng);
    paramset_init(&gan->ps_d);
    nn_linear_init(&gan->d1, &gan->ps_d, "d.fc1", X + K, cfg->d_hidden[0], 1, rng);
    nn_linear_init(&gan->d2, &gan->ps_d, "d.fc2", cfg->d_hidden[0], cfg->d_hidden[1], 1, rng);
    nn_linear_init(&gan->d3, &gan->ps_d, "d.fc3", cfg->d_hidden[1], 1, 1, rng);
    nn_linear_init(&gan->dproj, &gan->ps_d, "d.proj", cfg->d_hidden[1], K, 0, rng);
    optim_adam_init(&gan->opt_g, &gan->ps_g, cfg->lr, cfg->beta1, cfg->beta2, 1e-8f);
    optim_adam_init(&gan->opt_d, &gan->ps_d, cfg->lr, cfg->beta1, cfg->beta2, 1e-8f);
    tape_init(&gan->tape);
    return 0;
}

void l04_cgan_free(L04Cgan *gan) {
    tape_free(&gan->tape);
    optim_free(&gan->opt_g);
    optim_free(&gan->opt_d);
    paramset_free(&gan->ps_g);
    paramset_free(&gan->ps_d);
}

Tensor *l04_one_hot(Tape *tp, const int *labels, int B, int K) {
    Tensor *t = tape_tensor(tp, 2, (int[]){B, K}, 0);
    for (int i = 0; i < B; i++) {
        if (labels[i] < 0 || labels[i] >= K)
            tensor_fail("one_hot: label %d of row %d is outside 0..%d", labels[i], i, K - 1);
        t->data[(long)i * K + labels[i]] = 1.0f;
    }
    return t;
}

// The tape has no gather op; a gather is B one-element slices of the
// flattened scores, joined side by side: (1, 1) + (1, 1) + ... -> (1, B).
Tensor *l04_pick(Tape *tp, Tensor *scores, const int *labels) {
    int B = scores->shape[0], K = scores->shape[1];
    Tensor *flat = tensor_reshape(tp, scores, 2, (int[]){B * K, 1});
    Tensor *row = NULL;
    for (int i = 0; i < B; i++) {
        if (labels[i] < 0 || labels[i] >= K)
            tensor_fail("pick: label %d of row %d is outside 0..%d", labels[i], i, K - 1);
        Tensor *one = tensor_slice(tp, flat, i * K + labels[i], 1);
        row = row ? tape_concat_channels(tp, row, one) : one;
    }
    return tensor_reshape(tp, row, 2, (int[]){B, 1});
}

float l04_mean_sigmoid(const Tensor *logits) {
    double s = 0.0;
    for (long i = 0; i < logits->size; i++) s += 1.0 / (1.0 + exp(-(double)logits->data[i]));
    return (float)(s / logits->size);
}

// Batches of this many keep the tape small whatever n is.
#define GENERATE_BATCH 500

void l04_generate(L04Cgan *gan, float *imgs, const float *z, const int *labels, int n) {
    int Z = gan->cfg.z_dim, X = gan->cfg.h * gan->cfg.w;
    int was = tape_set_no_grad(&gan->tape, 1);
    for (int i = 0; i < n; i += GENERATE_BATCH) {
        int b = n - i < GENERATE_BATCH ? n - i : GENERATE_BATCH;
        tape_reset(&gan->tape);
        Tensor *zt = tape_tensor(&gan->tape, 2, (int[]){b, Z}, 0);
        memcpy(zt->data, z + (long)i * Z, sizeof(float) * b * Z);
        Tensor *img = l04_generator_forward(gan, zt, labels + i);
        memcpy(imgs + (long)i * X, img->data, sizeof(float) * b * X);
    }
    tape_reset(&gan->tape);
    tape_set_no_grad(&gan->tape, was);
}
