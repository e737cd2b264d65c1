// vgg.h - AdaIN style transfer's networks (lesson 07; bench/WORKLOADS.md W4): the
// VGG-19 encoder up to relu4_1, the decoder that mirrors it, and AdaIN.
//
// W = width (64 in VGG-19); every conv is k3 s1 after ReflectionPad(1), with
// a bias and a ReLU (no norms anywhere):
//   encoder: conv1_1 (3 -> W)                          relu1_1  (H)
//            conv1_2, pool, conv2_1 (W -> 2W)          relu2_1  (H/2)
//            conv2_2, pool, conv3_1 (2W -> 4W)         relu3_1  (H/4)
//            conv3_2..conv3_4, pool, conv4_1 (4W -> 8W) relu4_1 (H/8)
//   decoder: conv 8W -> 4W, up; 3 x conv 4W -> 4W, conv 4W -> 2W, up;
//            conv 2W -> 2W, conv 2W -> W, up; conv W -> W; conv W -> 3 (no ReLU)
// pool = 2x2 max-pool, stride 2, ceil mode; up = nearest upsampling x2.
// The encoder has no 1x1 colour conv before conv1_1 (the course's workloads
// make the same choice).
#ifndef VGG_H
#define VGG_H

#include "nn/layers.h"

#define VGG_LEVELS 4        // relu1_1, relu2_1, relu3_1, relu4_1
#define VGG_ENC_CONVS 9     // conv1_1 .. conv4_1
#define VGG_DEC_CONVS 9

typedef struct {
    int width;   // 64: channels of conv1_1 (then 2x, 4x, 8x)
    int bilinear;   // decoder: bilinear upsampling instead of nearest (0: W4's, the paper's)
} VggConfig;

// W4 (lesson 07): VGG-19's widths.
VggConfig vgg_config_w4(void);

typedef struct {
    VggConfig cfg;
    Conv2d conv[VGG_ENC_CONVS];
} VggEncoder;

typedef struct {
    VggConfig cfg;
    Conv2d conv[VGG_DEC_CONVS];
} AdainDecoder;

// The encoder's parameters are added FROZEN (requires_grad 0): gradients pass
// through it to its input, never into its weights. Give it a ParamSet of its
// own, filled with pretrained weights (a checkpoint) before real use.
void vgg_encoder_init(VggEncoder *m, ParamSet *ps, const char *name, const VggConfig *cfg,
                      Rng *rng);
// x (B, 3, H, W) -> relu4_1 (B, 8W, ceil-halved 3 times); feats, when not
// NULL, receives relu1_1 .. relu4_1 (relu4_1 last).
Tensor *vgg_encoder_forward(VggEncoder *m, Tape *tp, Tensor *x, Tensor *feats[VGG_LEVELS]);
long vgg_encoder_param_count(const VggConfig *cfg);

void adain_decoder_init(AdainDecoder *m, ParamSet *ps, const char *name, const VggConfig *cfg,
                        Rng *rng);
// t (B, 8W, h, w) -> an image (B, 3, 8h, 8w); h, w >= 2 (reflection padding).
Tensor *adain_decoder_forward(AdainDecoder *m, Tape *tp, Tensor *t);
long adain_decoder_param_count(const VggConfig *cfg);

// (B, C, H, W) -> (B, C, 2H, 2W), bilinear: PyTorch's F.interpolate(x,
// scale_factor=2, mode='bilinear', align_corners=False). Differentiable.
Tensor *vgg_upsample_bilinear2x(Tape *tp, Tensor *x);

// Adaptive instance normalisation: content (B, C, H, W) re-normalised to the
// per-channel statistics of style (B, C, H', W'), sample by sample:
//     out = (content - mean_c) / std_c * std_s + mean_s
// with mean and std over H, W and std = sqrt(unbiased variance + eps), as
// tape_mean_std_hw. Differentiable in both content and style. eps: 1e-5.
Tensor *adain(Tape *tp, Tensor *content, Tensor *style, float eps);

#endif
