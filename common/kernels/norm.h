// norm.h - batch normalisation and instance normalisation over NCHW tensors.
//
// B = batch, C = channels, HW = H * W. gamma/beta (C) may be NULL together
// (no affine transform). The forward pass saves mean and rstd = 1/sqrt(var+eps)
// (biased variance) for the backward pass. Backward functions accumulate (+=)
// and skip NULL gradients.
#ifndef NORM_H
#define NORM_H

// Batch norm, training mode: statistics over (B, HW) per channel.
// mean, rstd: (C). running_mean/running_var (C) are updated as PyTorch does
// (momentum 0.1 typical, unbiased variance for running_var); NULL skips that.
void batchnorm_forward_train(float *out, float *mean, float *rstd, const float *inp,
                             const float *gamma, const float *beta,
                             float *running_mean, float *running_var,
                             float momentum, float eps, int B, int C, int HW);
// Batch norm, evaluation mode: uses the running statistics.
void batchnorm_forward_eval(float *out, const float *inp, const float *gamma, const float *beta,
                            const float *running_mean, const float *running_var,
                            float eps, int B, int C, int HW);
// Backward of the training-mode forward.
void batchnorm_backward(float *dinp, float *dgamma, float *dbeta, const float *dout,
                        const float *inp, const float *mean, const float *rstd,
                        const float *gamma, int B, int C, int HW);

// Instance norm: statistics over HW per (sample, channel). mean, rstd: (B, C).
void instancenorm_forward(float *out, float *mean, float *rstd, const float *inp,
                          const float *gamma, const float *beta, float eps,
                          int B, int C, int HW);
void instancenorm_backward(float *dinp, float *dgamma, float *dbeta, const float *dout,
                           const float *inp, const float *mean, const float *rstd,
                           const float *gamma, int B, int C, int HW);

#endif
