// dcgan.h - the DCGAN generator and discriminator of lesson 03
// (bench/WORKLOADS.md W1 at the default sizes).
//
//   G: z (B, Z) -> Linear(Z, G*S*S) -> BatchNorm -> ReLU -> reshape (B, G, S, S)
//      -> ConvT(G, G/2, k4 s2 p1) -> BatchNorm -> ReLU                  (2S x 2S)
//      -> ConvT(G/2, C, k4 s2 p1) -> tanh                               (4S x 4S)
//   D: x (B, C, 4S, 4S) -> Conv(C, D, k4 s2 p1) -> LeakyReLU(0.2)       (2S x 2S)
//      -> Conv(D, 2D, k4 s2 p1) -> BatchNorm -> LeakyReLU(0.2)          (S x S)
//      -> flatten -> Linear(2D*S*S, 1)                                  (a logit)
//
// Z = z_dim, C = img_ch, S = img_size / 4, G = g_ch, D = d_ch. Biases follow
// the course's rule: a convolution has one unless a norm layer follows it;
// a Linear layer always has one. The first BatchNorm normalises the G*S*S
// features of the Linear output, before the reshape (PyTorch's BatchNorm1d).
// Lesson 04 conditions both nets by concatenating one-hot labels: z_dim and
// img_ch then include the classes.
#ifndef DCGAN_H
#define DCGAN_H

#include "nn/layers.h"

typedef struct {
    int z_dim;      // 100
    int img_ch;     // 1 (Fashion-MNIST)
    int img_size;   // 28; a multiple of 4
    int g_ch;       // 256: G's channels at S x S; even
    int d_ch;       // 64: D's first conv's channels
} DcganConfig;

// W1: z 100, 28x28x1, G 256, D 64.
DcganConfig dcgan_config_w1(void);

typedef struct {
    DcganConfig cfg;
    Linear fc;              // (Z) -> (G*S*S)
    BatchNorm2d bn0;        // G*S*S features
    ConvTranspose2d up1;    // G -> G/2
    BatchNorm2d bn1;
    ConvTranspose2d up2;    // G/2 -> C, with bias
} DcganG;

typedef struct {
    DcganConfig cfg;
    Conv2d c1;              // C -> D, with bias
    Conv2d c2;              // D -> 2D
    BatchNorm2d bn2;
    Linear fc;              // 2D*S*S -> 1
} DcganD;

// Adds the net's parameters to ps under "<name>.<layer>.weight" etc., DCGAN-initialised.
void dcgan_g_init(DcganG *g, ParamSet *ps, const char *name, const DcganConfig *cfg, Rng *rng);
void dcgan_d_init(DcganD *d, ParamSet *ps, const char *name, const DcganConfig *cfg, Rng *rng);

// z (B, Z) -> (B, C, 4S, 4S) in (-1, 1). train: batch statistics (see tape_batchnorm).
Tensor *dcgan_g_forward(DcganG *g, Tape *tp, Tensor *z, int train);
// x (B, C, 4S, 4S) -> (B, 1) logits.
Tensor *dcgan_d_forward(DcganD *d, Tape *tp, Tensor *x, int train);

// Exact parameter counts (what _init adds), from the layer formulas.
long dcgan_g_param_count(const DcganConfig *cfg);
long dcgan_d_param_count(const DcganConfig *cfg);

#endif
