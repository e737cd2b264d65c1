// bn_exercises.h - exercises 3.7 and 3.8: batch normalisation in training
// mode (your code in bn_exercises.c), with the signatures of the library's
// common/kernels/norm.h so that the tape can run them (tape_set_kernels).
//
// B = batch, C = channels, HW = H * W (1 for a (B, C) input). Statistics are
// per channel over the B*HW values of that channel.
#ifndef BN_EXERCISES_H
#define BN_EXERCISES_H

// 3.7
void l03_batchnorm_forward_train(float *out, float *mean, float *rstd, const float *inp,
                                 const float *gamma, const float *beta,
                                 float *running_mean, float *running_var,
                                 float momentum, float eps, int B, int C, int HW);
// 3.8
void l03_batchnorm_backward(float *dinp, float *dgamma, float *dbeta, const float *dout,
                            const float *inp, const float *mean, const float *rstd,
                            const float *gamma, int B, int C, int HW);

#endif
