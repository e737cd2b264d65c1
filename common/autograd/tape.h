// tape.h - the ops of the autograd tape and tape_backward().
//
// Each op runs its kernel's _forward at once and, when a source requires a
// gradient, records the output on the tape with what the backward needs.
// tape_backward(tp, loss) then walks the recorded tensors in reverse creation
// order (every source is created before its consumers, so that order is a
// valid topological order) and calls the kernels' _backward functions, which
// ACCUMULATE into the sources' grads. A tensor used twice therefore receives
// the sum of both gradients, which is what lets CycleGAN run one generator
// three times a step with no hand wiring.
//
// Shapes: B = batch, C = channels, H, W = height, width; IN/OUT = features.
// Wrong shapes are programming errors: the op prints both shapes and aborts.
#ifndef TAPE_H
#define TAPE_H

#include "util/rng.h"
#include "autograd/tensor.h"

// Fully connected: x (B, IN), weight (OUT, IN), bias (OUT) or NULL -> (B, OUT)
Tensor *tape_linear(Tape *tp, Tensor *x, Tensor *weight, Tensor *bias);
// x (B, C, H, W), weight (OC, C, K, K), bias (OC) or NULL -> (B, OC, OH, OW)
Tensor *tape_conv2d(Tape *tp, Tensor *x, Tensor *weight, Tensor *bias, int stride, int pad);
// x (B, C, H, W), weight (C, OC, K, K), bias (OC) or NULL -> (B, OC, OH, OW)
Tensor *tape_conv_transpose2d(Tape *tp, Tensor *x, Tensor *weight, Tensor *bias,
                              int stride, int pad, int out_pad);

// Batch norm over (B, H, W) per channel; x (B, C, H, W) or (B, C).
// train: batch statistics, updating running_mean/var (C) with momentum;
// otherwise the running statistics, and then nothing may require a gradient
// (evaluation runs under no_grad).
Tensor *tape_batchnorm(Tape *tp, Tensor *x, Tensor *gamma, Tensor *beta,
                       float *running_mean, float *running_var,
                       float momentum, float eps, int train);
// Instance norm over (H, W) per sample and channel; gamma, beta (C) or NULL.
Tensor *tape_instancenorm(Tape *tp, Tensor *x, Tensor *gamma, Tensor *beta, float eps);

Tensor *tape_relu(Tape *tp, Tensor *x);
Tensor *tape_leaky_relu(Tape *tp, Tensor *x, float slope);
Tensor *tape_tanh(Tape *tp, Tensor *x);
Tensor *tape_sigmoid(Tape *tp, Tensor *x);
// Inverted dropout with probability p; call it in training only.
Tensor *tape_dropout(Tape *tp, Tensor *x, float p, Rng *rng);

// x (B, C, H, W) -> (B, C, H+2P, W+2P)
Tensor *tape_pad_zero(Tape *tp, Tensor *x, int pad);
Tensor *tape_pad_reflect(Tape *tp, Tensor *x, int pad);
// x (B, C, H, W) -> (B, C, 2H, 2W)
Tensor *tape_upsample_nearest2x(Tape *tp, Tensor *x);
// x (B, C, H, W) -> (B, C, ceil(H/2), ceil(W/2))
Tensor *tape_maxpool2x2(Tape *tp, Tensor *x);
// a (B, CA, ...), b (B, CB, ...) with equal trailing dims -> (B, CA+CB, ...)
Tensor *tape_concat_channels(Tape *tp, Tensor *a, Tensor *b);
// a + b, same shapes (residual connections, sums of losses)
Tensor *tape_add(Tape *tp, Tensor *a, Tensor *b);
// s * x, s a constant (loss weights such as lambda = 100)
Tensor *tape_scale(Tape *tp, Tensor *x, float s);
// x (B, C, H, W) -> (2, B, C): [0] the means and [1] the standard deviations
// over (H, W), std = sqrt(unbiased var + eps); tensor_slice() splits them.
Tensor *tape_mean_std_hw(Tape *tp, Tensor *x, float eps);

// Losses: the mean over all elements, a scalar (ndim 0). The target has the
// shape of the input; BCE's target must not require a gradient.
Tensor *tape_bce_with_logits(Tape *tp, Tensor *logits, Tensor *target);
Tensor *tape_mse(Tape *tp, Tensor *a, Tensor *b);
Tensor *tape_l1(Tape *tp, Tensor *a, Tensor *b);

// ---------------------------------------------------------------- kernels
// The kernels the tape calls for convolutions and batch norm (training mode),
// with the signatures of conv.h and norm.h. Lesson 03 gives its model's tape
// the student's own (tape_set_kernels), so that the model trains with them
// while every other tape of the process (the FCD evaluator's) keeps the
// library's: a measuring instrument never runs on the code it measures.
typedef struct TapeKernels {
    void (*conv2d_forward)(float *out, float *col, const float *inp, const float *weight,
                           const float *bias, const ConvGeom *g);
    void (*conv2d_backward)(float *dinp, float *dweight, float *dbias, float *col,
                            const float *dout, const float *inp, const float *weight,
                            const ConvGeom *g);
    void (*conv_transpose2d_forward)(float *out, float *col, const float *inp,
                                     const float *weight, const float *bias, const ConvGeom *g);
    void (*conv_transpose2d_backward)(float *dinp, float *dweight, float *dbias, float *col,
                                      const float *dout, const float *inp, const float *weight,
                                      const ConvGeom *g);
    void (*batchnorm_forward_train)(float *out, float *mean, float *rstd, const float *inp,
                                    const float *gamma, const float *beta,
                                    float *running_mean, float *running_var,
                                    float momentum, float eps, int B, int C, int HW);
    void (*batchnorm_backward)(float *dinp, float *dgamma, float *dbeta, const float *dout,
                               const float *inp, const float *mean, const float *rstd,
                               const float *gamma, int B, int C, int HW);
} TapeKernels;

// The table of tp alone; k must stay valid while tp uses it (a static
// table); NULL: the process's table again. A NULL entry in k is a
// programming error.
void tape_set_kernels(Tape *tp, const TapeKernels *k);

// The library's own kernels: tape_set_kernels(tp, tape_library_kernels())
// pins a tape to them whatever the process's table is.
const TapeKernels *tape_library_kernels(void);

// The process's table, for tapes without one of their own (tests and the
// benchmark swap kernels for a whole program with it): copies k into it;
// NULL restores the library's kernels. A NULL entry in k is a programming
// error.
void tape_use_kernels(const TapeKernels *k);

// ---------------------------------------------------------------- profile
// Where a step's time goes, per op: while a TapeProfile is installed, every
// op adds the wall-clock time of its forward and of its backward to it, and
// backward the time it spends taking (zeroing) gradient buffers. When none
// is installed an op pays one test of a pointer.
typedef struct {
    double fwd_ms[OP_COUNT], bwd_ms[OP_COUNT];
    long fwd_calls[OP_COUNT], bwd_calls[OP_COUNT];
    double grad_ms;   // tensor_grad in backward: zeroed buffers from the pool
} TapeProfile;

// Installs p (the caller zeroes it); NULL stops profiling. One per process.
void tape_profile(TapeProfile *p);
// "conv2d", "batchnorm", ...: the op's name.
const char *tape_op_name(Op op);

// ---------------------------------------------------------------- backward

// One node's share of the backward pass: accumulates t->grad into the grads of
// t's sources that require one, through the op's backward kernel. It neither
// visits the sources nor clears t->grad: that is the walk's job.
void tape_backward_node(Tape *tp, Tensor *t);

// Accumulates d loss / d t into the grad of every tensor that requires one:
// parameters and leaves made with requires_grad. Intermediate grads are
// cleared once passed on, so a second backward on the same tape (say, D's
// loss after G's) adds only its own gradients. loss: a 1-element tensor.
void tape_backward(Tape *tp, Tensor *loss);

#endif
