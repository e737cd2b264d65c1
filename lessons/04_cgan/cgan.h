// cgan.h - lesson 04's conditional GAN: "the garment I want".
//
// Both networks are MLPs built from the library's layers and trained on the
// autograd tape (lesson 03). What is new is the label y, a class 0..K-1:
//     G(z, y): noise z (B, Z) and y -> an image (B, 1, H, W) of class y
//     D(x, y): an image and a label -> a logit (B, 1): "x is a real image OF CLASS y"
// Where y enters each network is your exercises 4.1 and 4.2; the two
// training steps that feed it are 4.3 and 4.4 (cgan_exercises.c).
//
// B = batch, Z = noise size, K = classes, X = H * W pixels.
// G: [z, onehot(y)] (Z + K) -> G1 -> G2 -> X, LeakyReLU(0.2) between, tanh at the end
// D: [x, onehot(y)] (X + K) -> D1 -> D2 = phi, LeakyReLU(0.2) after each, then
//    logit = d3(phi) + (E phi)[y], the projection: E (K, D2) holds one embedding per class
#ifndef CGAN_H
#define CGAN_H

#include "nn/layers.h"
#include "nn/optim.h"
#include "util/error.h"

#define L04_SLOPE 0.2f   // LeakyReLU's slope for negative inputs

typedef struct {
    int z_dim;       // Z
    int n_classes;   // K
    int h, w;        // image size; X = h * w (one channel)
    int g_hidden[2]; // G1, G2
    int d_hidden[2]; // D1, D2
    float lr, beta1, beta2;   // Adam, the same for G and D
} L04Config;

typedef struct {
    L04Config cfg;
    Linear g1, g2, g3;        // (Z+K -> G1), (G1 -> G2), (G2 -> X)
    Linear d1, d2, d3;        // (X+K -> D1), (D1 -> D2), (D2 -> 1)
    Linear dproj;             // (D2 -> K), no bias: the class embeddings E (K, D2)
    ParamSet ps_g, ps_d;      // one block of parameters (and gradients) per network
    Optimizer opt_g, opt_d;
    Tape tape;                // one step's tensors; reset at the start of each step
} L04Cgan;

// Lesson 04's default run on Fashion-MNIST: Z 100, K 10, 28x28,
// G 110-256-512-784, D 794-512-256 (+ 1 logit, + the 10 x 256 projection), Adam (0.5, 0.999).
L04Config l04_default_config(void);

// Builds both networks with the library's initialisation (N(0, 0.02)
// weights, zero biases, drawn from *rng) and their Adam optimisers. Returns -1
// with a message (and the model zeroed, so l04_cgan_free is safe) when a size
// of the configuration is not positive.
int l04_cgan_init(L04Cgan *gan, const L04Config *cfg, Rng *rng, Error *err);
void l04_cgan_free(L04Cgan *gan);

// A (B, K) tensor on the tape, row i all zeros but a 1 at column labels[i];
// no gradient (labels are data). A label outside 0..K-1 is a programming
// error: it aborts with a message.
Tensor *l04_one_hot(Tape *tp, const int *labels, int B, int K);

// scores (B, K) -> (B, 1): row i's entry in column labels[i], on the tape
// (gradients flow back to the picked entries only).
Tensor *l04_pick(Tape *tp, Tensor *scores, const int *labels);

// The mean of sigmoid(logits) over a batch: the average D(x), for the log.
float l04_mean_sigmoid(const Tensor *logits);

// imgs (n, 1, H, W) = G(z, labels) for z (n, Z), any n, under no_grad.
void l04_generate(L04Cgan *gan, float *imgs, const float *z, const int *labels, int n);

// ---------------------------------------------------------------- your exercises

// 4.1: G(z, y) -> (B, 1, H, W)
Tensor *l04_generator_forward(L04Cgan *gan, Tensor *z, const int *labels);
// 4.2: D(x, y) -> (B, 1) logits
Tensor *l04_discriminator_forward(L04Cgan *gan, Tensor *x, const int *labels);
// 4.3: one D update; returns loss_D
float l04_d_step(L04Cgan *gan, float *d_real, float *d_fake, const float *real,
                 const int *real_labels, const float *z, const int *fake_labels, int B);
// 4.4: one G update; returns loss_G
float l04_g_step(L04Cgan *gan, const float *z, const int *labels, int B);

#endif
