// dcgan_train.h - lesson 03's GAN: W1's generator and discriminator
// (common/models/dcgan.h), their Adam optimisers, the tape, and the two training
// steps, which run YOUR kernels and YOUR backward walk (exercises 3.1-3.9).
// Nothing to write here; read it to see the tape replace lesson 02's wiring.
//
// B = batch, Z = 100 (noise), images (B, 1, 28, 28) in [-1, 1].
#ifndef DCGAN_TRAIN_H
#define DCGAN_TRAIN_H

#include "models/dcgan.h"
#include "nn/optim.h"
#include "util/error.h"

typedef struct {
    DcganConfig cfg;
    DcganG g;
    DcganD d;
    ParamSet ps_g, ps_d;      // one block of parameters (and gradients) per network
    Optimizer opt_g, opt_d;   // Adam, lr, betas (0.5, 0.999)
    Tape tape;                // one step's tensors; reset at the start of each step
    float real_label;         // D's target for real images: 1, or 0.9 with label smoothing
} L03Dcgan;

// Builds W1 with DCGAN's initialisation (N(0, 0.02) weights, N(1, 0.02) gains),
// both optimisers at lr, real_label 1. Its tape runs the exercises' kernels
// (3.1-3.8) instead of the library's (tape_set_kernels): this model's tape
// only, so that the FCD evaluator keeps measuring with the library's. The
// weights are drawn from *rng. Returns -1 with a message (and the model
// zeroed, so l03_dcgan_free is safe) when lr is not a positive number.
int l03_dcgan_init(L03Dcgan *gan, float lr, Rng *rng, Error *err);
void l03_dcgan_free(L03Dcgan *gan);

// One discriminator update on real (B, 1, 28, 28) and G(z), z (B, Z):
//     loss_D = BCE(D(real), real_label) + BCE(D(G(z)), 0)
// G runs under no_grad (its output is data here). Writes the batch means of
// D(real) and D(G(z)) before the update; returns loss_D.
float l03_d_step(L03Dcgan *gan, float *d_real, float *d_fake, const float *real, const float *z,
                 int B);
// One generator update on fresh z (B, Z), non-saturating loss:
//     loss_G = BCE(D(G(z)), 1)
// D's parameters are frozen for the step (no gradient is computed for them).
float l03_g_step(L03Dcgan *gan, const float *z, int B);

// imgs (n, 1, 28, 28) = G(z), z (n, Z), with batch statistics over the n
// samples (as PyTorch's DCGAN example draws its fixed-noise grids).
void l03_generate(L03Dcgan *gan, float *imgs, const float *z, int n);

#endif
