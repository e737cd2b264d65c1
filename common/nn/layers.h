// layers.h - parameters and the layers that own them.
//
// A ParamSet holds every parameter of one model in ONE contiguous block, and
// every gradient in a second block of the same layout (the llm.c way):
// zero_grad is one memset, an optimiser step one flat loop, a checkpoint one
// write. Each layer's weight and bias are Tensors whose data/grad point into
// those blocks. Buffers (batch norm's running statistics) are saved with the
// model but never differentiated or stepped, so they have a block of their own.
//
// A layer is a small struct made by _init (which adds its tensors to a
// ParamSet and initialises them as DCGAN does: weights N(0, 0.02), biases 0,
// norm gains N(1, 0.02), norm shifts 0) and applied by _forward on the tape.
#ifndef LAYERS_H
#define LAYERS_H

#include "util/rng.h"
#include "autograd/tape.h"

#define PARAM_NAME_LEN 48

typedef struct {
    int n_params;          // parameter tensors
    Tensor **params;       // each a view into data / grad
    long size;             // floats in data and grad
    float *data;
    float *grad;

    int n_buffers;         // buffer tensors, e.g. running means
    Tensor **buffers;      // views into buf_data (no grad)
    long buf_size;
    float *buf_data;

    char (*param_names)[PARAM_NAME_LEN];
    char (*buffer_names)[PARAM_NAME_LEN];
} ParamSet;

void paramset_init(ParamSet *ps);
void paramset_free(ParamSet *ps);
// Adds a zeroed parameter (a gradient flows into it) or buffer; the returned
// tensor stays valid for the life of the ParamSet.
Tensor *paramset_add(ParamSet *ps, const char *name, int ndim, const int *shape);
Tensor *paramset_add_buffer(ParamSet *ps, const char *name, int ndim, const int *shape);
void paramset_zero_grad(ParamSet *ps);
// Freezing: with 0, backward leaves these parameters' gradients alone (and
// skips the work of computing them), e.g. a pretrained encoder.
void paramset_set_requires_grad(ParamSet *ps, int requires_grad);

// ---------------------------------------------------------------- layers
// The names are prefixes: "d.conv1" gives d.conv1.weight and d.conv1.bias.

typedef struct {
    Tensor *weight;   // (OUT, IN)
    Tensor *bias;     // (OUT) or NULL
} Linear;
void nn_linear_init(Linear *l, ParamSet *ps, const char *name, int in, int out, int bias,
                    Rng *rng);
Tensor *nn_linear_forward(Tape *tp, const Linear *l, Tensor *x);   // (B, IN) -> (B, OUT)

typedef struct {
    Tensor *weight;   // (OC, C, K, K)
    Tensor *bias;     // (OC) or NULL
    int stride, pad;
} Conv2d;
void nn_conv2d_init(Conv2d *l, ParamSet *ps, const char *name, int in_ch, int out_ch,
                    int kernel, int stride, int pad, int bias, Rng *rng);
Tensor *nn_conv2d_forward(Tape *tp, const Conv2d *l, Tensor *x);

typedef struct {
    Tensor *weight;   // (C, OC, K, K), PyTorch's layout
    Tensor *bias;     // (OC) or NULL
    int stride, pad, out_pad;
} ConvTranspose2d;
void nn_conv_transpose2d_init(ConvTranspose2d *l, ParamSet *ps, const char *name, int in_ch,
                              int out_ch, int kernel, int stride, int pad, int out_pad,
                              int bias, Rng *rng);
Tensor *nn_conv_transpose2d_forward(Tape *tp, const ConvTranspose2d *l, Tensor *x);

// PyTorch's defaults: momentum 0.1, eps 1e-5. Works on (B, C, H, W) and (B, C).
typedef struct {
    Tensor *gamma, *beta;                 // (C)
    Tensor *running_mean, *running_var;   // (C) buffers: 0 and 1 at init
    float momentum, eps;
} BatchNorm2d;
void nn_batchnorm2d_init(BatchNorm2d *l, ParamSet *ps, const char *name, int channels, Rng *rng);
// train: batch statistics (and running-stat update); else running statistics.
Tensor *nn_batchnorm2d_forward(Tape *tp, const BatchNorm2d *l, Tensor *x, int train);

// eps 1e-5; affine 0 (PyTorch's default, and CycleGAN's) has no parameters.
typedef struct {
    Tensor *gamma, *beta;   // (C) or NULL
    float eps;
} InstanceNorm2d;
void nn_instancenorm2d_init(InstanceNorm2d *l, ParamSet *ps, const char *name, int channels,
                            int affine, Rng *rng);
Tensor *nn_instancenorm2d_forward(Tape *tp, const InstanceNorm2d *l, Tensor *x);

#endif
