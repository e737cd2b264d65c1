// gan.h - a generator and a discriminator, both MLPs (mlp.h), and the two
// alternating training steps of a GAN, wired by hand.
//
// B = batch size, Z = noise size (G's input), X = data size (G's output, D's
// input). G: z (B, Z) -> fake (B, X). D: x (B, X) -> logit (B, 1), and
// D(x) = sigmoid(logit) is D's probability that x is real.
#ifndef GAN_H
#define GAN_H

#include "util/error.h"
#include "mlp.h"
#include "nn/optim.h"
#include "util/rng.h"

typedef struct {
    int g_sizes[L02_MLP_MAX_LAYERS + 1], g_layers;   // g_sizes[0] = Z, g_sizes[g_layers] = X
    L02MlpAct g_hidden, g_out;
    int d_sizes[L02_MLP_MAX_LAYERS + 1], d_layers;   // d_sizes[0] = X, d_sizes[d_layers] = 1
    L02MlpAct d_hidden;                             // D's last layer has none: it gives a logit
    int max_batch;
    float lr, beta1, beta2;                      // Adam, the same for G and D
} L02GanSpec;

typedef struct {
    L02Mlp g, d;
    Optimizer opt_g, opt_d;                      // Adam, one per network
    int max_batch;
    float *ones, *zeros;   // (max_batch) BCE targets: "real" and "fake"
    float *dlogit;         // (max_batch) dLoss/d logit
    float *dfake;          // (max_batch, X) dLoss_G/d G(z): D's input gradient
} L02Gan;

int l02_gan_init(L02Gan *gan, const L02GanSpec *spec, Rng *rng, Error *err);
void l02_gan_free(L02Gan *gan);

// One Adam step of G's (resp. D's) parameters from the gradients in G's
// (resp. D's) grads block; nothing else changes.
void l02_update_g(L02Gan *gan);
void l02_update_d(L02Gan *gan);

// mean over n of sigmoid(logits[i]): the average D(x) of a batch.
float l02_mean_sigmoid(const float *logits, int n);

// Exercise 2.3 (gan_exercises.c). One discriminator step; returns loss_D.
float l02_d_step(L02Gan *gan, float *d_real, float *d_fake, const float *real, const float *z,
                 int B);

// Exercise 2.4 (gan_exercises.c). One generator step; returns loss_G.
float l02_g_step(L02Gan *gan, const float *z, int B);

#endif
