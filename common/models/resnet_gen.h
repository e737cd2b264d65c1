// resnet_gen.h - the ResNet generator of CycleGAN (lesson 06; bench/WORKLOADS.md W3).
//
// In the CycleGAN paper's notation, with F = ngf and N = n_blocks:
//   c7s1-F:   ReflectionPad(3) -> Conv(in_ch, F, k7) -> InstanceNorm -> ReLU
//   d2F, d4F: Conv(k3, s2, p1 zeros) -> InstanceNorm -> ReLU       (H/2, then H/4)
//   N x R4F:  x + [ReflectionPad(1) -> Conv(k3) -> IN -> ReLU
//                  -> ReflectionPad(1) -> Conv(k3) -> IN]
//   u2F, uF:  ConvT(k3, s2, p1, output_padding 1) -> InstanceNorm -> ReLU   (H/2, then H)
//             or, with upsample RESNET_UP_RESIZE, the resize-convolution of
//             Odena et al. (2016): nearest 2x -> ReflectionPad(1) -> Conv(k3)
//             -> InstanceNorm -> ReLU (every output pixel sees the same number
//             of input pixels, so no checkerboard pattern is built in)
//   c7s1-out: ReflectionPad(3) -> Conv(F, out_ch, k7) -> tanh
//             (with input_skip: x + tanh(..), the network learns what to change)
// The instance norms are affine; only the last conv has a bias (every other
// one is followed by a norm). Reflection padding keeps the image borders free
// of the dark frame zero padding draws.
#ifndef RESNET_GEN_H
#define RESNET_GEN_H

#include "nn/layers.h"

#define RESNET_GEN_MAX_BLOCKS 16

typedef enum { RESNET_UP_TRANSPOSED, RESNET_UP_RESIZE } ResnetUpsample;

typedef struct {
    int in_ch, out_ch;   // 3, 3
    int ngf;             // 32
    int n_blocks;        // 6 (9 in the paper at 256x256)
    ResnetUpsample upsample;   // RESNET_UP_TRANSPOSED (the paper's), or resize-convolution
    int input_skip;      // 1: output = x + tanh(c7s1-out), a change of the input (not the
                         // paper's; in_ch == out_ch): the last conv starts at 0, an untrained G
                         // is the identity
} ResnetGenConfig;

// W3 (lesson 06): 3 -> 3 channels, ngf 32, 6 blocks.
ResnetGenConfig resnet_gen_config_w3(void);

typedef struct {
    Conv2d c1, c2;                   // (4F, 4F, 3, 3) each
    InstanceNorm2d n1, n2;
} ResBlock;

typedef struct {
    ResnetGenConfig cfg;
    Conv2d in_conv;                  // c7s1-F
    InstanceNorm2d in_norm;
    Conv2d down[2];                  // d2F, d4F
    InstanceNorm2d down_norm[2];
    ResBlock blocks[RESNET_GEN_MAX_BLOCKS];
    ConvTranspose2d up[2];           // u2F, uF (RESNET_UP_TRANSPOSED)
    Conv2d up_conv[2];               // u2F, uF (RESNET_UP_RESIZE)
    InstanceNorm2d up_norm[2];
    Conv2d out_conv;                 // c7s1-out_ch, with bias
} ResnetGen;

void resnet_gen_init(ResnetGen *m, ParamSet *ps, const char *name, const ResnetGenConfig *cfg,
                     Rng *rng);
// x (B, in_ch, H, W) -> (B, out_ch, H, W), H and W multiples of 4 (and >= 8:
// reflection padding by 3 needs more than 3 pixels). Instance norm has no
// training mode, so train changes nothing; it is there for a uniform call.
Tensor *resnet_gen_forward(ResnetGen *m, Tape *tp, Tensor *x, int train);
long resnet_gen_param_count(const ResnetGenConfig *cfg);

// One residual block: x (B, 4F, H, W) -> x + block(x), the same shape.
Tensor *resnet_block_forward(const ResBlock *r, Tape *tp, Tensor *x);
// resnet_gen_forward with another residual block (lesson 06 runs the
// student's, exercise 6.3); block NULL: resnet_block_forward.
typedef Tensor *(*ResnetBlockFn)(const ResBlock *r, Tape *tp, Tensor *x);
Tensor *resnet_gen_forward_with(ResnetGen *m, Tape *tp, Tensor *x, ResnetBlockFn block);

#endif
