// adain.h - lesson 07: AdaIN, arbitrary style transfer in one forward pass.
//
// A frozen encoder f (VGG-19 up to relu4_1, common/models/vgg.h) turns a content
// image c and a style image s into features; AdaIN gives the content
// features the style features' per-channel mean and standard deviation,
//     t = AdaIN(f(c), f(s)) = std(f(s)) (f(c) - mean(f(c))) / std(f(c)) + mean(f(s)),
// and a decoder g, the one network that is trained, turns t back into an
// image g(t). Two losses, both measured through the frozen encoder:
//     content  L_c = MSE(f(g(t)), t)                          at relu4_1
//     style    L_s = sum over relu1_1..relu4_1 of
//                    MSE(mean(phi_i(g(t))), mean(phi_i(s))) + MSE(std(...), std(...))
//     identity L_id = MSE(g(f(c)), c) in pixels, on the batch's identity pairs
//              (style = content, so t = f(c)): the decoder must give the content
//              image back (SANet's identity loss, Park & Lee 2019). With a random
//              encoder the feature losses alone do not teach the decoder colours
//              in a 10-minute run (README: the measurements).
//     L = L_c + style_weight * L_s + identity_weight * L_id
// At test time alpha blends t with the content features (alpha 0: the
// content image back; 1: full style), and several styles mix with weights.
//
// Statistics everywhere: mean and std over the H*W pixels of each channel of
// each sample, std = sqrt(UNBIASED variance + eps), eps = 1e-5 INSIDE the
// square root (as pytorch-AdaIN's calc_mean_std): a constant channel has
// std sqrt(eps), never 0, so nothing divides by zero and the gradient of the
// std stays finite.
//
// The encoder has random weights from a fixed seed, calibrated (adain_model.c)
// the way the authors' vgg_normalised is: every channel's mean activation is
// 1 on a calibration set. Real weights load with --encoder (tools/convert_vgg.py).
//
// B = batch, C = channels, H, W = height, width, N = H*W pixels of a content
// feature map, M = those of a style feature map.
#ifndef ADAIN_H
#define ADAIN_H

#include <stdint.h>

#include "util/error.h"
#include "nn/optim.h"
#include "models/vgg.h"

#define ADAIN_EPS 1e-5f

typedef struct {
    int width;            // VGG width (64 = VGG-19; the course's default is narrower)
    float style_weight;   // weight of L_s
    float identity_weight;// weight of L_id, the pixel loss on identity pairs (adain_train_step)
    float lr;             // Adam's learning rate (beta1 0.9, beta2 0.999)
    int bilinear;         // the decoder's upsampling: bilinear (1) or nearest (0, the paper's)
} AdainConfig;

AdainConfig adain_default_config(void);

typedef struct {
    AdainConfig cfg;
    VggEncoder enc;
    AdainDecoder dec;
    ParamSet ps_enc, ps_dec;
    Optimizer opt;        // the decoder's
    Tape tape;            // one step's tensors; reset at the start of each step
    uint64_t enc_hash;    // adain_encoder_hash: which encoder the decoder belongs to
    uint64_t seed;        // adain_init's (a loaded encoder rebuilds the decoder from it)
    float calib_open;     // adain_calibrate: the bias shift leaves mean - calib_open * std at 0
} AdainNet;

// The numbers one training step reports (before the update).
typedef struct {
    float loss;        // L_c + style_weight * L_s
    float content;     // L_c
    float style;       // L_s (unweighted)
    float identity;    // L_id (unweighted; 0 without identity pairs)
} AdainStats;

// Builds the encoder with random weights from seed (not yet calibrated:
// adain_calibrate) and the decoder with He initialisation from seed + 1, and
// the decoder's Adam. adain_free frees everything.
void adain_init(AdainNet *n, const AdainConfig *cfg, uint64_t seed);
void adain_free(AdainNet *n);

// Rescales the random encoder on calibration images (n, 3, S, S) in [-1, 1],
// conv by conv. With centre, each channel's bias is first shifted so that its
// pre-activation is 0 at mean - n->calib_open * std over the calibration set
// (calib_open 0: half of the responses pass the ReLU; 1: about 84%); then
// its filter and bias are divided by the mean of its ReLU output, so that
// every channel of every layer has mean activation 1 (vgg_normalised's
// rule). Without centre only the rescaling (the biases stay 0: channels whose
// filters sum below 0 rarely fire, and their rescaled spikes dominate the
// losses). Updates n->enc_hash.
void adain_calibrate(AdainNet *n, const float *images, int count, int S, int centre);

// A 64-bit FNV-1a hash of the encoder's width and weights, printed as 16 hex digits.
uint64_t adain_encoder_hash(const AdainNet *n);

// The encoder's weight file: "ADAINVGG", u32 version 1, u32 width, then
// conv1_1 .. conv4_1, each weight (OC, IC, 3, 3) and bias (OC), float32
// little-endian. The encoder takes RGB in [-1, 1] (the converter folds
// vgg_normalised's 1x1 colour conv and the [0, 1] range into conv1_1).
// Loading replaces cfg.width with the file's (the decoder is rebuilt to fit).
int adain_encoder_save(const AdainNet *n, const char *path, Error *err);
int adain_encoder_load(AdainNet *n, const char *path, Error *err);

// The checkpoint's metadata names the width, the encoder's hash and the
// decoder's upsampling (adain_load_trained takes the latter); reading
// it back checks the first two against n: a decoder trained with another encoder is
// refused, naming both hashes.
void adain_meta(char *meta, int len, const AdainNet *n);
int adain_check_meta(const AdainNet *n, const char *meta, const char *path, Error *err);

// Inference. t (C, h, w) = the decoder's target for one content image and K
// styles mixed with weights (summing to anything positive: normalised),
// blended with alpha (exercise 7.6); out (3, H, W) = g(t) clamped to [-1, 1].
// content (3, H, W), styles[k] (3, SH_k, SW_k); H, W multiples of 8 and at
// least 16 (adain_check_size). Resets n->tape.
void adain_stylize(AdainNet *n, float *out, const float *content, int H, int W,
                   const float *const *styles, const int *sh, const int *sw,
                   const float *weights, int K, float alpha);
// The size rule: H and W multiples of 8 (three 2x2 poolings the decoder
// undoes) and at least 16 (reflection padding at relu4_1 needs 2 pixels).
int adain_check_size(int H, int W, const char *what, Error *err);

// ---------------------------------------------------------------- your exercises

// 7.1 per-channel mean and std of one sample x (C, N)
void adain_mean_std(float *mean, float *std, const float *x, int C, long N, float eps);
// 7.2 AdaIN of one sample: content x (C, N), style y (C, M) -> out (C, N) ...
void adain_forward(float *out, const float *x, long N, const float *y, long M, int C, float eps);
// ... and its backward: dx (C, N), dy (C, M) from dout (C, N) (overwritten, not accumulated)
void adain_backward(float *dx, float *dy, const float *dout, const float *x, long N,
                    const float *y, long M, int C, float eps);
// 7.3 the content loss: a scalar on the tape
Tensor *adain_content_loss(Tape *tp, Tensor *out_feat, Tensor *target);
// 7.4 the style loss over the four levels: a scalar on the tape
Tensor *adain_style_loss(Tape *tp, Tensor *const out_feats[VGG_LEVELS],
                         Tensor *const style_feats[VGG_LEVELS], float eps);
// 7.5 one training step of the decoder on B content and B style crops (B, 3, S, S),
// the first n_identity of them identity pairs (style = content)
void adain_train_step(AdainNet *n, AdainStats *st, const float *content, const float *style,
                      int B, int S, int n_identity);
// 7.6 alpha blending of K style targets (each n floats) with the content features
void adain_blend(float *out, const float *content_feat, const float *const *targets,
                 const float *weights, int K, long n, float alpha);

#endif
