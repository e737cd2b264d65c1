// losses.h - lesson 01: the GAN losses, written on the discriminator's logits.
//
// n = batch size. Every array below holds n floats, one per image of the batch:
//   logits      (n,)  the discriminator's raw output a, before the sigmoid;
//                     D = sigmoid(a) is its probability that the image is real
//   real_logits (n,)  a for the real images x          (D(x)    = sigmoid(a))
//   fake_logits (n,)  a for the generated images G(z)  (D(G(z)) = sigmoid(a))
//
// Every loss is a MEAN over the batch (PyTorch's default reduction).
// Every backward ACCUMULATES dloss * d(loss)/d(logit) into its output array
// (+=, never =): the caller zeroes the gradient once, and several losses can add
// into the same array. dloss is the gradient arriving at the scalar loss: 1.0f
// when the loss is what you minimise.
//
// The least-squares (LSGAN) losses use the discriminator's raw output as its
// score, with NO sigmoid; they are written on the same arrays.
#ifndef LOSSES_H
#define LOSSES_H

// 1.1  mean over i of BCE(a_i, y) = -[ y log sigmoid(a_i) + (1-y) log(1 - sigmoid(a_i)) ]
//      for one target y in [0, 1] shared by the whole batch.
float l01_bce_forward(const float *logits, float target, int n);
// 1.2  dlogits[i] += dloss * (sigmoid(a_i) - y) / n
void l01_bce_backward(float *dlogits, const float *logits, float target, float dloss, int n);

// 1.3  L^D = -E[log D(x)] - E[log(1 - D(G(z)))]
float l01_d_loss_forward(const float *real_logits, const float *fake_logits, int n);
// 1.4  gradients of L^D with respect to both logit arrays
void l01_d_loss_backward(float *dreal, float *dfake, const float *real_logits,
                         const float *fake_logits, float dloss, int n);

// 1.5  the saturating (minimax) generator loss  L^G_sat = E[log(1 - D(G(z)))]
float l01_g_loss_saturating_forward(const float *fake_logits, int n);
// 1.6
void l01_g_loss_saturating_backward(float *dfake, const float *fake_logits, float dloss, int n);

// 1.7  the non-saturating generator loss  L^G = -E[log D(G(z))]
float l01_g_loss_forward(const float *fake_logits, int n);
// 1.8
void l01_g_loss_backward(float *dfake, const float *fake_logits, float dloss, int n);

// 1.9  L^D_LS = 1/2 E[(D(x) - 1)^2] + 1/2 E[D(G(z))^2]
float l01_lsgan_d_loss_forward(const float *real_scores, const float *fake_scores, int n);
// 1.10
void l01_lsgan_d_loss_backward(float *dreal, float *dfake, const float *real_scores,
                               const float *fake_scores, float dloss, int n);

// 1.11 L^G_LS = 1/2 E[(D(G(z)) - 1)^2]
float l01_lsgan_g_loss_forward(const float *fake_scores, int n);
// 1.12
void l01_lsgan_g_loss_backward(float *dfake, const float *fake_scores, float dloss, int n);

#endif
