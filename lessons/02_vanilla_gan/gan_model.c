// gan_model.c - allocation of an L02Gan and its optimiser steps (gan.h). The two
// training steps are the exercises, in gan_exercises.c.
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "gan.h"

int l02_gan_init(L02Gan *gan, const L02GanSpec *spec, Rng *rng, Error *err) {
    memset(gan, 0, sizeof *gan);
    int B = spec->max_batch, X = spec->g_sizes[spec->g_layers];
    if (spec->d_sizes[0] != X || spec->d_sizes[spec->d_layers] != 1) {
        return error_set(err, "l02_gan_init: G gives %d features, D takes %d and gives %d "
                         "(want %d and 1)", X, spec->d_sizes[0], spec->d_sizes[spec->d_layers], X);
    }
    gan->max_batch = B;
    if (l02_mlp_init(&gan->g, "g", spec->g_sizes, spec->g_layers, spec->g_hidden, spec->g_out, B,
                     rng, err) != 0 ||
        l02_mlp_init(&gan->d, "d", spec->d_sizes, spec->d_layers, spec->d_hidden, L02_ACT_NONE, B,
                     rng, err) != 0) {
        l02_gan_free(gan);
        return -1;
    }
    optim_adam_init(&gan->opt_g, &gan->g.ps, spec->lr, spec->beta1, spec->beta2, 1e-8f);
    optim_adam_init(&gan->opt_d, &gan->d.ps, spec->lr, spec->beta1, spec->beta2, 1e-8f);
    gan->ones = malloc(sizeof(float) * B);
    gan->zeros = calloc(B, sizeof(float));
    gan->dlogit = malloc(sizeof(float) * B);
    gan->dfake = malloc(sizeof(float) * (long)B * X);
    if (!gan->ones || !gan->zeros || !gan->dlogit || !gan->dfake) {
        l02_gan_free(gan);
        return error_set(err, "l02_gan_init: out of memory");
    }
    for (int i = 0; i < B; i++) gan->ones[i] = 1.0f;
    return 0;
}

void l02_gan_free(L02Gan *gan) {
    l02_mlp_free(&gan->g);
    l02_mlp_free(&gan->d);
    optim_free(&gan->opt_g);
    optim_free(&gan->opt_d);
    free(gan->ones);
    free(gan->zeros);
    free(gan->dlogit);
    free(gan->dfake);
    memset(gan, 0, sizeof *gan);
}

void l02_update_g(L02Gan *gan) {
    optim_step(&gan->opt_g, &gan->g.ps);
}

void l02_update_d(L02Gan *gan) {
    optim_step(&gan->opt_d, &gan->d.ps);
}

float l02_mean_sigmoid(const float *logits, int n) {
    double sum = 0.0;
    for (int i = 0; i < n; i++) sum += 1.0 / (1.0 + exp(-(double)logits[i]));
    return (float)(sum / n);
}
