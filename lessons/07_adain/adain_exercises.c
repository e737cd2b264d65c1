// adain_exercises.c - exercises 7.1 to 7.6: the statistics AdaIN swaps, AdaIN
// itself (forward and backward), the two losses, the decoder's training step
// through the frozen encoder, and alpha blending.
//
// Read adain.h first, then common/models/vgg.h (the encoder and decoder). Tools
// (common/autograd/tape.h, common/nn/layers.h):
//   vgg_encoder_forward(&n->enc, tp, x, feats)  x (B, 3, S, S) -> relu4_1; feats: relu1_1..relu4_1
//   adain_decoder_forward(&n->dec, tp, t)       t (B, 8W, S/8, S/8) -> (B, 3, S, S)
//   tape_mean_std_hw(tp, x, eps)                (B, C, H, W) -> (2, B, C): means, stds
//   tensor_slice(tp, t, start, count)           rows of the first dimension
//   tape_mse(tp, a, b), tape_add(tp, a, b), tape_scale(tp, x, s)
//   tape_tensor(tp, ndim, shape, requires_grad), tensor_detach(tp, t)
//   tape_backward(tp, loss), tape_reset(tp)
//   paramset_zero_grad(&ps), optim_step(&opt, &ps)
//
//     make check LESSON=07       which exercises pass (tests/07_adain/)
//     make run LESSON=07         train with YOUR functions
#include <math.h>
#include <string.h>   // memcpy, for 7.5

#include "adain.h"
#include "util/exercise.h"

// Exercise 7.1 (10 points): the per-channel mean and standard deviation.
//
// x (C, N): one sample's C channels of N = H*W pixels each. For every
// channel c:
//     mean[c] = (1/N) sum_i x[c, i]
//     std[c]  = sqrt( (1/(N-1)) sum_i (x[c, i] - mean[c])^2  +  eps )
// UNBIASED variance (divide by N - 1, as torch.var's default and
// pytorch-AdaIN's calc_mean_std), and eps INSIDE the square root: a constant
// channel gets sqrt(eps), not 0 (AdaIN divides by it). N >= 2.
// Accumulate in double: feature maps have thousands of pixels.
// Tested against PyTorch (x.var(unbiased=True) + eps, then sqrt), on a
// constant channel, and on a channel with a large mean and a small spread.
void adain_mean_std(float *mean, float *std, const float *x, int C, long N, float eps) {
    /* BEGIN EXERCISE 7.1 */
    (void)mean, (void)std, (void)x, (void)C, (void)N, (void)eps;
    EXERCISE_TODO("7.1");
    /* END EXERCISE 7.1 */
}

// Exercise 7.2 (25 points): AdaIN, forward and backward, for one sample.
//
// Forward: content x (C, N), style y (C, M) -> out (C, N), channel by channel:
//     out[c, i] = std_y[c] * (x[c, i] - mean_x[c]) / std_x[c] + mean_y[c]
// with the statistics of exercise 7.1 (call adain_mean_std).
//
// Backward: given dout = dL/dout (C, N), write dx = dL/dx (C, N) and
// dy = dL/dy (C, M) (overwrite them). Per channel, with xhat = (x - mean_x) / std_x:
//     dL/dmean_y = sum_i dout_i             dL/dstd_y = sum_i dout_i * xhat_i
//     dx_j = std_y / std_x * (dout_j - mean_i dout_i)
//            - std_y * xhat_j * (sum_i dout_i * xhat_i) / ((N - 1) * std_x)
//     dy_j = dL/dmean_y / M + dL/dstd_y * (y_j - mean_y) / ((M - 1) * std_y)
// (dstd/dx_j = (x_j - mean) / ((N-1) std): the unbiased variance's 1/(N-1);
// eps only ever appears inside std.) Derive them once on paper: that is the
// exercise.
// Tested against PyTorch's autograd (dout a random probe) and against finite
// differences, with N != M (a style image of another size), and AdaIN(x, x) = x.
void adain_forward(float *out, const float *x, long N, const float *y, long M, int C, float eps) {
    /* BEGIN EXERCISE 7.2 */
    (void)out, (void)x, (void)N, (void)y, (void)M, (void)C, (void)eps;
    EXERCISE_TODO("7.2");
    /* END EXERCISE 7.2 */
}

void adain_backward(float *dx, float *dy, const float *dout, const float *x, long N,
                    const float *y, long M, int C, float eps) {
    /* BEGIN EXERCISE 7.2 */
    (void)dx, (void)dy, (void)dout, (void)x, (void)N, (void)y, (void)M, (void)C, (void)eps;
    EXERCISE_TODO("7.2");
    /* END EXERCISE 7.2 */
}

// Exercise 7.3 (5 points): the content loss.
//
//     L_c = MSE(out_feat, target) = mean over every element of (out_feat - target)^2
// out_feat = relu4_1 of the decoded image, (B, 8W, h, w); target = t, the
// AdaIN output the decoder was given (no gradient: a constant). Not the
// content image's features: the decoder is asked to reproduce t, whose
// statistics are the style's. Returns the scalar on the tape.
// Tested against PyTorch's mse_loss: the value and d L_c / d out_feat.
Tensor *adain_content_loss(Tape *tp, Tensor *out_feat, Tensor *target) {
    /* BEGIN EXERCISE 7.3 */
    (void)tp, (void)out_feat, (void)target;
    EXERCISE_TODO("7.3");
    /* END EXERCISE 7.3 */
}

// Exercise 7.4 (15 points): the style loss over the four levels.
//
//     L_s = sum_{i=0..3} MSE(mean(out_feats[i]), mean(style_feats[i]))
//                      + MSE(std(out_feats[i]),  std(style_feats[i]))
// level i = relu1_1, relu2_1, relu3_1, relu4_1; each feature map (B, C_i, H_i, W_i);
// mean and std per sample and channel over the pixels (tape_mean_std_hw
// with eps: its row 0 holds the means (B, C_i), row 1 the stds), each MSE a
// mean over the B * C_i numbers. The style features are constants (no
// gradient); the gradient flows into out_feats only. Returns the scalar.
// Tested against PyTorch (pytorch-AdaIN's calc_style_loss summed over the
// four levels): the value and the gradient of each out_feats[i].
Tensor *adain_style_loss(Tape *tp, Tensor *const out_feats[VGG_LEVELS],
                         Tensor *const style_feats[VGG_LEVELS], float eps) {
    /* BEGIN EXERCISE 7.4 */
    (void)tp, (void)out_feats, (void)style_feats, (void)eps;
    EXERCISE_TODO("7.4");
    /* END EXERCISE 7.4 */
}

// Exercise 7.5 (30 points): one training step of the decoder.
//
// content, style: B crops each, (B, 3, S, S) in [-1, 1]; S a multiple of 8.
// The first n_identity pairs are identity pairs (the caller made style =
// content there, so t = f(c) for them).
// 1. tape_reset(&n->tape); content and style become tensors on it (data:
//    no gradient).
// 2. fc = f(content) at relu4_1; the style's four levels sf[0..3]
//    (vgg_encoder_forward with feats). The encoder is frozen and its inputs
//    need no gradient, so the tape records none of this.
// 3. t (B, 8W, S/8, S/8): a NEW tensor (no gradient) holding, sample by
//    sample, adain_forward(fc_b, sf[3]_b) (exercise 7.2; eps ADAIN_EPS).
// 4. zero the decoder's gradients; g = adain_decoder_forward(t) (no clamp:
//    the loss sees the decoder's raw output); gf[0..3] = the encoder's four
//    levels of g (this pass IS recorded: the gradient reaches the decoder
//    through the frozen encoder, whose weights never change).
// 5. L_c = adain_content_loss(gf[3], t), L_s = adain_style_loss(gf, sf, ADAIN_EPS),
//    and for n_identity > 0 the pixel loss of the identity pairs,
//    L_id = tape_mse(first n_identity samples of g, the same of content)
//    (tensor_slice; 0 when n_identity = 0);
//    L = L_c + n->cfg.style_weight * L_s + n->cfg.identity_weight * L_id;
//    backward; optim_step(&n->opt, &n->ps_dec).
// Fills *st with L, L_c, L_s and L_id (before the update).
// Tested against PyTorch (one step of a narrow encoder and decoder from the
// same weights and batch): the three losses, the decoder's gradients and
// weights after the update, and that the encoder's weights did not move.
void adain_train_step(AdainNet *n, AdainStats *st, const float *content, const float *style,
                      int B, int S, int n_identity) {
    /* BEGIN EXERCISE 7.5 */
    (void)n, (void)st, (void)content, (void)style, (void)B, (void)S, (void)n_identity;
    EXERCISE_TODO("7.5");
    /* END EXERCISE 7.5 */
}

// Exercise 7.6 (15 points): alpha blending, and several styles at once.
//
//     out = alpha * sum_k (w_k / sum_j w_j) targets[k]  +  (1 - alpha) * content_feat
// content_feat = f(c) and each targets[k] = AdaIN(f(c), f(s_k)): n floats each
// (the same shape). The weights are normalised to sum 1 (any positive
// scale: 1, 1 means half and half); alpha in [0, 1]: 0 gives f(c) back (the
// decoder then reconstructs the content image), 1 the full style.
// Accumulate each element in double.
// Tested against PyTorch (test.py's style_transfer with
// interpolation weights), at alpha 0, 1 and in between, with one and three styles.
void adain_blend(float *out, const float *content_feat, const float *const *targets,
                 const float *weights, int K, long n, float alpha) {
    /* BEGIN EXERCISE 7.6 */
    (void)out, (void)content_feat, (void)targets, (void)weights, (void)K, (void)n, (void)alpha;
    EXERCISE_TODO("7.6");
    /* END EXERCISE 7.6 */
}
