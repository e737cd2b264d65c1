// unet.h - the U-Net generator of pix2pix (lesson 05; bench/WORKLOADS.md W2).
//
// D levels (depth), every conv k4 s2 p1, so an image of 2^D x 2^D pixels
// reaches 1 x 1 at the bottom. Level i (0 = outermost) has
// ngf * min(2^i, 8) channels: for ngf 32, depth 6: 32 64 128 256 256 256.
//
//   encoder, level i:  [LeakyReLU(0.2) unless i = 0] -> Conv -> [BatchNorm unless
//                      i = 0 or i = D-1]
//   decoder, from the innermost level up:  ReLU -> ConvT -> BatchNorm [-> Dropout]
//                      on concat(skip of that level, what came up), except the
//                      innermost (no skip: the bottleneck alone) and the
//                      outermost, ConvT to out_ch -> tanh.
//
// Dropout (p = dropout) follows the BatchNorm of the n_dropout innermost
// decoder blocks, in training only. A conv has a bias exactly when no norm
// follows it: the outermost and innermost encoder convs and the last ConvT.
//
// no_skips = 1 drops every skip: each decoder block sees only what came up
// (half the input channels). That is the plain encoder-decoder which lesson
// 05's ablation compares with the U-Net; 0 (the default) is the U-Net.
#ifndef UNET_H
#define UNET_H

#include "nn/layers.h"

#define UNET_MAX_DEPTH 10

typedef struct {
    int in_ch, out_ch;   // 3, 3
    int ngf;             // 32: channels of the outermost level
    int depth;           // 6 for 64x64: levels, and halvings of the image
    int n_dropout;       // 3: innermost decoder blocks with dropout (< depth)
    float dropout;       // 0.5; 0 turns dropout off
    int no_skips;        // 0: the U-Net; 1: the encoder-decoder without skips
} UNetConfig;

// W2 (lesson 05): 3 -> 3 channels, ngf 32, depth 6 (64x64), dropout 0.5 on 3 blocks.
UNetConfig unet_config_w2(void);

typedef struct {
    UNetConfig cfg;
    Conv2d down[UNET_MAX_DEPTH];              // level i: ch(i-1) -> ch(i), ch(-1) = in_ch
    BatchNorm2d down_bn[UNET_MAX_DEPTH];      // levels 1 .. D-2
    ConvTranspose2d up[UNET_MAX_DEPTH];       // level i: (i = D-1 or no_skips ? ch(i) : 2 ch(i))
                                              //          -> ch(i-1)
    BatchNorm2d up_bn[UNET_MAX_DEPTH];        // levels 1 .. D-1
} UNet;

// Channels of level i.
int unet_channels(const UNetConfig *cfg, int level);

void unet_init(UNet *m, ParamSet *ps, const char *name, const UNetConfig *cfg, Rng *rng);
// x (B, in_ch, H, W) -> (B, out_ch, H, W), H and W multiples of 2^depth.
// train: batch statistics and dropout, whose masks rng draws (NULL when
// there is no dropout or train is 0).
Tensor *unet_forward(UNet *m, Tape *tp, Tensor *x, int train, Rng *rng);
long unet_param_count(const UNetConfig *cfg);

#endif
