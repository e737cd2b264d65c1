// gan_build.c - allocation of a Gan and its optimiser steps (gan.h). The two
// training steps are the exercises, in gan_step.c.
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "gan.h"

int gan_build(Gan *gan, const GanSpec *spec, Rng *rng, Error *err) {
    memset(gan, 0, sizeof *gan);
    int B = spec->max_batch, X = spec->g_sizes[spec->g_layers];
    if (spec->d_sizes[0] != X || spec->d_sizes[spec->d_layers] != 1) {
        return error_set(err, "gan_build: G gives %d features, D takes %d and gives %d "
                         "(want %d and 1)", X, spec->d_sizes[0], spec->d_sizes[spec->d_layers], X);
    }
    gan->max_batch = B;
    if (mlp_build(&gan->g, "g", spec->g_sizes, spec->g_layers, spec->g_hidden, spec->g_out, B,
                  rng, err) != 0 ||
        mlp_build(&gan->d, "d", spec->d_sizes, spec->d_layers, spec->d_hidden, MLP_ACT_NONE, B,
                  rng, err) != 0) {
        gan_free(gan);
        return -1;
    }
    optim_adam_init(&gan->opt_g, &gan->g.ps, spec->lr, spec->beta1, spec->beta2, 1e-8f);
    optim_adam_init(&gan->opt_d, &gan->d.ps, spec->lr, spec->beta1, spec->beta2, 1e-8f);
    gan->ones = malloc(sizeof(float) * B);
    gan->zeros = calloc(B, sizeof(float));
    gan->dlogit = malloc(sizeof(float) * B);
    gan->dfake = malloc(sizeof(float) * (long)B * X);
    if (!gan->ones || !gan->zeros || !gan->dlogit || !gan->dfake) {
        gan_free(gan);
        return error_set(err, "gan_build: out of memory");
    }
    for (int i = 0; i < B; i++) gan->ones[i] = 1.0f;
    return 0;
}

void gan_free(Gan *gan) {
    mlp_free(&gan->g);
    mlp_free(&gan->d);
    optim_free(&gan->opt_g);
    optim_free(&gan->opt_d);
    free(gan->ones);
    free(gan->zeros);
    free(gan->dlogit);
    free(gan->dfake);
    memset(gan, 0, sizeof *gan);
}

void gan_update_g(Gan *gan) {
    optim_step(&gan->opt_g, &gan->g.ps);
}

void gan_update_d(Gan *gan) {
    optim_step(&gan->opt_d, &gan->d.ps);
}

float mean_sigmoid(const float *logits, int n) {
    double sum = 0.0;
    for (int i = 0; i < n; i++) sum += 1.0 / (1.0 + exp(-(double)logits[i]));
    return (float)(sum / n);
}
