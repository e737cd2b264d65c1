// patchgan.h - the PatchGAN discriminator of pix2pix and CycleGAN (lessons
// 05 and 06; bench/WORKLOADS.md W2 with batch norm, W3 with instance norm).
//
// Every conv k4 p1; L = n_layers, F = ndf:
//   Conv(in_ch, F, s2) -> LeakyReLU(0.2)
//   for i = 1 .. L-1: Conv(F min(2^(i-1),8), F min(2^i,8), s2) -> Norm -> LeakyReLU(0.2)
//   Conv(.., F min(2^L,8), s1) -> Norm -> LeakyReLU(0.2)
//   Conv(.., 1, s1)                                        (a map of logits)
// For L = 3 a 64x64 input gives 6x6 logits, each judging a 70x70 patch
// (receptive field) of a 256x256 image, or most of a 64x64 one. The convs
// followed by a norm have no bias; instance norms are affine (gains and
// shifts per channel), as in the course's reference workloads.
#ifndef PATCHGAN_H
#define PATCHGAN_H

#include "nn/layers.h"

#define PATCHGAN_MAX_LAYERS 6

typedef enum { PATCHGAN_BATCHNORM, PATCHGAN_INSTANCENORM } PatchGanNorm;

typedef struct {
    int in_ch;           // 6 for pix2pix (input and output concatenated), 3 for CycleGAN
    int ndf;             // 32
    int n_layers;        // 3
    PatchGanNorm norm;
} PatchGanConfig;

// W2: on concat(input, target), 6 channels, batch norm; W3: 3 channels, instance norm.
PatchGanConfig patchgan_config_w2(void);
PatchGanConfig patchgan_config_w3(void);

typedef struct {
    PatchGanConfig cfg;
    Conv2d conv[PATCHGAN_MAX_LAYERS + 2];              // L + 2 convs
    BatchNorm2d bn[PATCHGAN_MAX_LAYERS + 2];           // convs 1 .. L, batch norm
    InstanceNorm2d in[PATCHGAN_MAX_LAYERS + 2];        // convs 1 .. L, instance norm
} PatchGan;

void patchgan_init(PatchGan *m, ParamSet *ps, const char *name, const PatchGanConfig *cfg,
                   Rng *rng);
// x (B, in_ch, H, W) -> (B, 1, H/2^L - 2, W/2^L - 2) logits (for H, W multiples of 2^L).
// train: batch statistics (batch norm; instance norm has no modes).
Tensor *patchgan_forward(PatchGan *m, Tape *tp, Tensor *x, int train);
long patchgan_param_count(const PatchGanConfig *cfg);

#endif
