// tensor.h - the tensors of the autograd tape and the memory they live in.
//
// A Tensor is an NCHW float32 array of up to 4 dimensions that remembers how
// it was made: the op, its sources and what the backward pass needs. Tensors
// are always contiguous (every view the course needs, reshape, flatten and a
// slice along the first dimension, keeps them so), hence no strides.
//
// The Tape owns every tensor made since the last tape_reset() in one arena:
// a training step allocates as it goes, tape_reset() frees it all at once,
// and after the first step the arena is one block of the step's size, so a
// step does no malloc at all. Parameters live outside the tape (layers.h).
//
// Two things keep the step's memory near what it needs at any moment:
// - the gradient of a (large) op output is taken from a pool when backward
//   first reaches it and handed back once backward has passed it on, so
//   gradients live a few layers at a time, not all at once;
// - work that no backward needs (a no_grad pass) can be forgotten up to a
//   mark, keeping only the tensors asked for (tape_mark, tape_release).
//
// The ops and tape_backward() are in tape.h; this file is memory and shapes.
#ifndef TENSOR_H
#define TENSOR_H

#include <stddef.h>

#include "kernels/conv.h"

// Every op the tape can record; tape_backward() has one case for each.
typedef enum {
    OP_LEAF,              // made by the caller: an input, a parameter, a detached tensor
    OP_VIEW,              // reshape / flatten / slice: shares data and grad with src[0]
    OP_LINEAR,
    OP_CONV2D,
    OP_CONV_TRANSPOSE2D,
    OP_BATCHNORM,         // training mode (evaluation mode records nothing)
    OP_INSTANCENORM,
    OP_RELU,
    OP_LEAKY_RELU,
    OP_TANH,
    OP_SIGMOID,
    OP_DROPOUT,
    OP_PAD_ZERO,
    OP_PAD_REFLECT,
    OP_UPSAMPLE_NEAREST2X,
    OP_MAXPOOL2X2,
    OP_CONCAT_CHANNELS,
    OP_ADD,
    OP_SCALE,
    OP_MEAN_STD_HW,
    OP_BCE_WITH_LOGITS,
    OP_MSE,
    OP_L1,
} Op;
#define OP_COUNT (OP_L1 + 1)

// The settings an op was called with, for its backward pass.
typedef struct {
    ConvGeom geom;   // conv2d, conv_transpose2d
    float slope;     // leaky_relu
    float scale;     // scale
    int pad;         // pad_zero, pad_reflect
} OpParams;

typedef struct Tensor Tensor;
struct Tensor {
    int ndim;            // 0 (a scalar) .. 4
    int shape[4];        // NCHW order; unused trailing entries are 1
    long size;           // product of shape
    float *data;         // (size)
    // (size); NULL when no gradient is ever stored here. An op output of more
    // than TAPE_EAGER_GRAD floats has one only while backward passes through
    // it (tensor_grad); read the gradients of leaves and parameters only.
    float *grad;
    int requires_grad;   // 0: backward leaves grad alone (inputs, frozen parameters)
    int grad_pooled;     // grad is (a window into) a pool buffer: backward returns it

    // How the tape made it.
    Op op;
    Tensor *src[3];      // sources; a loss keeps its target in src[1]
    OpParams p;
    float *saved[2];     // kept for backward: norm mean/rstd, dropout mask
    int *argmax;         // maxpool2x2: where each output came from
    int node;            // index in the tape's node list; -1 when not recorded
    int visit;           // the last backward pass that reached this tensor
};

// A gradient buffer of the pool; `used` while some tensor's grad is it.
typedef struct {
    float *p;
    long cap;
    int used;
} GradBuf;

typedef struct {
    // The arena: one block; blocks outgrown during a step wait in `old`
    // until the reset merges them into one block of the step's peak size.
    char *block;
    size_t used, cap;
    char **old;
    int n_old;
    size_t live;         // bytes of the step still held (tape_release gives some back)
    size_t step_bytes;   // the step's peak of `live`: the merged block's size

    GradBuf *pool;       // gradients of large op outputs, kept from step to step
    int n_pool;

    Tensor **nodes;      // recorded tensors, in creation order
    int n_nodes, cap_nodes;

    float *scratch;      // im2col buffer shared by every convolution
    long scratch_size;

    // The convolution and batch-norm kernels this tape's ops call (tape.h);
    // NULL: the process's table (the library's unless tape_use_kernels changed it).
    const struct TapeKernels *kernels;

    int no_grad;         // 1: ops record nothing and allocate no gradients
    int backward_passes; // counts tape_backward() calls, for Tensor.visit
} Tape;

void tape_init(Tape *tp);
void tape_free(Tape *tp);
// Forgets every tensor made since the last reset (their memory is reused).
void tape_reset(Tape *tp);
// Sets no_grad mode and returns the previous setting, so that
//     int was = tape_set_no_grad(tp, 1); ... tape_set_no_grad(tp, was);
// nests.
int tape_set_no_grad(Tape *tp, int no_grad);

// Zero-filled memory owned by the tape until the next reset.
void *tape_alloc(Tape *tp, size_t bytes);
// A shared scratch buffer of at least n floats, valid until the next call.
float *tape_scratch(Tape *tp, long n);

// Op outputs of at most this many floats get their grad when made (a loss,
// which the caller seeds with 1); larger ones from the pool, when needed.
#define TAPE_EAGER_GRAD 1024

// t's gradient buffer, taken (zeroed) from the pool when t has none yet; for
// a view, the window into its source's. t must require a gradient.
float *tensor_grad(Tape *tp, Tensor *t);
// For a recorded tensor whose gradient backward has passed on: a pooled one
// goes back to the pool (t->grad becomes NULL), a small output's is zeroed,
// a view's is left to its source.
void tensor_drop_grad(Tape *tp, Tensor *t);

// A point on the tape to come back to.
typedef struct {
    char *block;
    size_t used, cap, live;
    int n_old, n_nodes;
} TapeMark;

TapeMark tape_mark(const Tape *tp);
// Forgets every tensor made since m except keep[0..n), whose memory is
// reused by what comes next: for no_grad work, such as an encoder whose
// intermediate outputs nobody needs. The kept tensors move (keep[i] is
// updated: other pointers to them are stale) and become leaves with no
// history and no gradient; each (at most 16) must have been made since m,
// and not be a view. Nothing may have been recorded for backward since m.
//     TapeMark m = tape_mark(tp);
//     Tensor *feat = encoder_forward(..., tp, x);   // under no_grad
//     tape_release(tp, m, &feat, 1);
void tape_release(Tape *tp, TapeMark m, Tensor **keep, int n);

// A new leaf tensor of the given shape, data zeroed; with requires_grad (and
// not in no_grad mode) it also gets a zeroed grad that backward fills in.
Tensor *tape_tensor(Tape *tp, int ndim, const int *shape, int requires_grad);
// A leaf with the shape of t, every element = value (e.g. GAN labels).
Tensor *tape_full_like(Tape *tp, const Tensor *t, float value);

// Views share data (and grad) with their source; the sizes must match.
Tensor *tensor_reshape(Tape *tp, Tensor *t, int ndim, const int *shape);
// (B, ...) -> (B, size / B)
Tensor *tensor_flatten(Tape *tp, Tensor *t);
// Elements [start, start + count) along the first dimension.
Tensor *tensor_slice(Tape *tp, Tensor *t, int start, int count);
// The same data with no history and no gradient: backward stops here.
Tensor *tensor_detach(Tape *tp, Tensor *t);

// Writes "(2, 3, 8, 8)" into buf; returns buf.
const char *tensor_shape_str(const Tensor *t, char *buf, size_t n);
int tensor_same_shape(const Tensor *a, const Tensor *b);

// A programming error (wrong shapes, an op used wrongly): prints the message
// and aborts, so the test or program that made it fails on that line.
_Noreturn void tensor_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

// Used by the ops in tape.c: a new output tensor that is recorded on the tape
// (with a zeroed grad) when any source requires a gradient.
Tensor *tape_op_output(Tape *tp, Op op, int ndim, const int *shape,
                       Tensor *a, Tensor *b, Tensor *c);

#endif
