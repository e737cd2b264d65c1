// tape.c - the ops: forward now, backward later through one switch.
#include "autograd/tape.h"

#include <string.h>
#include <time.h>

#include "kernels/activations.h"
#include "kernels/conv.h"
#include "kernels/dropout.h"
#include "kernels/linear.h"
#include "kernels/losses.h"
#include "kernels/norm.h"
#include "kernels/spatial.h"

// The gradient a backward kernel should accumulate into, or NULL to skip it.
static float *grad_of(const Tensor *t) {
    return t && t->requires_grad ? t->grad : NULL;
}

static void expect_ndim(const char *op, const Tensor *t, int ndim, const char *shape) {
    if (!t) tensor_fail("%s: the tensor %s is NULL", op, shape);
    if (t->ndim != ndim) {
        char buf[64];
        tensor_fail("%s: expects %s, got %s", op, shape, tensor_shape_str(t, buf, sizeof buf));
    }
}

static void expect_same_shape(const char *op, const Tensor *a, const Tensor *b) {
    if (!a || !b) tensor_fail("%s: the %s tensor is NULL", op, !a ? "first" : "second");
    if (!tensor_same_shape(a, b)) {
        char ba[64], bb[64];
        tensor_fail("%s: shapes differ: %s and %s", op, tensor_shape_str(a, ba, sizeof ba),
                    tensor_shape_str(b, bb, sizeof bb));
    }
}

static void expect_size(const char *op, const char *what, const Tensor *t, long size) {
    if (t && t->size != size)
        tensor_fail("%s: %s holds %ld floats, expected %ld", op, what, t->size, size);
}

static const float *data_or_null(const Tensor *t) {
    return t ? t->data : NULL;
}

// ---------------------------------------------------------------- kernel table

// A macro, because C allows a static initialiser to be a constant expression
// only, and another variable (even a const one) is not one.
#define LIBRARY_KERNELS_INIT {                                  \
    .conv2d_forward = conv2d_forward,                           \
    .conv2d_backward = conv2d_backward,                         \
    .conv_transpose2d_forward = conv_transpose2d_forward,       \
    .conv_transpose2d_backward = conv_transpose2d_backward,     \
    .batchnorm_forward_train = batchnorm_forward_train,         \
    .batchnorm_backward = batchnorm_backward,                   \
}

static const TapeKernels LIBRARY_KERNELS = LIBRARY_KERNELS_INIT;
static TapeKernels kernels = LIBRARY_KERNELS_INIT;
// The library's kernels overwrite their whole output; a lesson's may add
// onto it (a transposed convolution through col2im, say), so op outputs,
// which the arena hands out unzeroed, are zeroed for those.
static int plugged_in = 0;

static const TapeKernels *kernels_of(const Tape *tp) {
    return tp->kernels ? tp->kernels : &kernels;
}

static void zero_for_plugged_in(const Tape *tp, Tensor *out) {
    if (tp->kernels ? tp->kernels != &LIBRARY_KERNELS : plugged_in)
        memset(out->data, 0, sizeof(float) * out->size);
}

static void check_table(const TapeKernels *k, const char *who) {
    if (!k->conv2d_forward || !k->conv2d_backward || !k->conv_transpose2d_forward ||
        !k->conv_transpose2d_backward || !k->batchnorm_forward_train || !k->batchnorm_backward)
        tensor_fail("%s: every entry of the table must be set", who);
}

void tape_set_kernels(Tape *tp, const TapeKernels *k) {
    if (k) check_table(k, "tape_set_kernels");
    tp->kernels = k;
}

const TapeKernels *tape_library_kernels(void) { return &LIBRARY_KERNELS; }

void tape_use_kernels(const TapeKernels *k) {
    plugged_in = k != NULL;
    if (!k) {
        kernels = LIBRARY_KERNELS;
        return;
    }
    check_table(k, "tape_use_kernels");
    kernels = *k;
}

// ---------------------------------------------------------------- profile

static TapeProfile *profile = NULL;

void tape_profile(TapeProfile *p) {
    profile = p;
}

static const char *const OP_NAMES[OP_COUNT] = {
    [OP_LEAF] = "leaf", [OP_VIEW] = "view", [OP_LINEAR] = "linear", [OP_CONV2D] = "conv2d",
    [OP_CONV_TRANSPOSE2D] = "conv_transpose2d", [OP_BATCHNORM] = "batchnorm",
    [OP_INSTANCENORM] = "instancenorm", [OP_RELU] = "relu", [OP_LEAKY_RELU] = "leaky_relu",
    [OP_TANH] = "tanh", [OP_SIGMOID] = "sigmoid", [OP_DROPOUT] = "dropout",
    [OP_PAD_ZERO] = "pad_zero", [OP_PAD_REFLECT] = "pad_reflect",
    [OP_UPSAMPLE_NEAREST2X] = "upsample_nearest2x", [OP_MAXPOOL2X2] = "maxpool2x2",
    [OP_CONCAT_CHANNELS] = "concat_channels", [OP_ADD] = "add", [OP_SCALE] = "scale",
    [OP_MEAN_STD_HW] = "mean_std_hw", [OP_BCE_WITH_LOGITS] = "bce_with_logits", [OP_MSE] = "mse",
    [OP_L1] = "l1",
};

const char *tape_op_name(Op op) {
    return (int)op >= 0 && op < OP_COUNT && OP_NAMES[op] ? OP_NAMES[op] : "?";
}

static double now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return 1e3 * ts.tv_sec + 1e-6 * ts.tv_nsec;
}

// The start of an op, when profiling.
static double prof_start(void) {
    return profile ? now_ms() : 0.0;
}

// Ends an op's forward: its time goes to out->op. Returns out.
static Tensor *prof_fwd(Tensor *out, double t0) {
    if (profile) {
        profile->fwd_ms[out->op] += now_ms() - t0;
        profile->fwd_calls[out->op]++;
    }
    return out;
}

// ---------------------------------------------------------------- layers

Tensor *tape_linear(Tape *tp, Tensor *x, Tensor *weight, Tensor *bias) {
    double t0 = prof_start();
    expect_ndim("linear", x, 2, "(B, IN)");
    expect_ndim("linear", weight, 2, "a weight (OUT, IN)");
    int B = x->shape[0], IN = x->shape[1], OUT = weight->shape[0];
    if (weight->shape[1] != IN)
        tensor_fail("linear: input has %d features, the weight (%d, %d) expects %d", IN, OUT,
                    weight->shape[1], weight->shape[1]);
    expect_size("linear", "bias", bias, OUT);
    Tensor *out = tape_op_output(tp, OP_LINEAR, 2, (int[]){B, OUT}, x, weight, bias);
    linear_forward(out->data, x->data, weight->data, data_or_null(bias), B, IN, OUT);
    return prof_fwd(out, t0);
}

static Tensor *conv_common(Tape *tp, Op op, Tensor *x, Tensor *weight, Tensor *bias, ConvGeom g) {
    Tensor *out = tape_op_output(tp, op, 4, (int[]){g.B, g.OC, g.OH, g.OW}, x, weight, bias);
    out->p.geom = g;
    float *col = tape_scratch(tp, conv_col_size(&g));
    zero_for_plugged_in(tp, out);
    if (op == OP_CONV2D)
        kernels_of(tp)->conv2d_forward(out->data, col, x->data, weight->data, data_or_null(bias),
                               &g);
    else
        kernels_of(tp)->conv_transpose2d_forward(out->data, col, x->data, weight->data,
                                         data_or_null(bias), &g);
    return out;
}

static void check_conv_input(const char *op, const Tensor *x, const Tensor *weight, int wc) {
    expect_ndim(op, x, 4, "(B, C, H, W)");
    expect_ndim(op, weight, 4, "a 4-d weight");
    if (weight->shape[2] != weight->shape[3])
        tensor_fail("%s: the kernel must be square, got %d x %d", op, weight->shape[2],
                    weight->shape[3]);
    if (x->shape[1] != wc) {
        char bx[64], bw[64];
        tensor_fail("%s: input %s has %d channels, the weight %s expects %d", op,
                    tensor_shape_str(x, bx, sizeof bx), x->shape[1],
                    tensor_shape_str(weight, bw, sizeof bw), wc);
    }
}

Tensor *tape_conv2d(Tape *tp, Tensor *x, Tensor *weight, Tensor *bias, int stride, int pad) {
    double t0 = prof_start();
    check_conv_input("conv2d", x, weight, weight->shape[1]);
    int OC = weight->shape[0], K = weight->shape[2];
    expect_size("conv2d", "bias", bias, OC);
    if (x->shape[2] + 2 * pad < K || x->shape[3] + 2 * pad < K)
        tensor_fail("conv2d: a %dx%d kernel does not fit a %dx%d input padded by %d", K, K,
                    x->shape[2], x->shape[3], pad);
    ConvGeom g = conv2d_geom(x->shape[0], x->shape[1], x->shape[2], x->shape[3], OC, K, stride, pad);
    return prof_fwd(conv_common(tp, OP_CONV2D, x, weight, bias, g), t0);
}

Tensor *tape_conv_transpose2d(Tape *tp, Tensor *x, Tensor *weight, Tensor *bias,
                              int stride, int pad, int out_pad) {
    double t0 = prof_start();
    check_conv_input("conv_transpose2d", x, weight, weight->shape[0]);
    int OC = weight->shape[1], K = weight->shape[2];
    expect_size("conv_transpose2d", "bias", bias, OC);
    ConvGeom g = conv_transpose2d_geom(x->shape[0], x->shape[1], x->shape[2], x->shape[3], OC, K,
                                       stride, pad, out_pad);
    if (g.OH < 1 || g.OW < 1)
        tensor_fail("conv_transpose2d: output would be %dx%d", g.OH, g.OW);
    return prof_fwd(conv_common(tp, OP_CONV_TRANSPOSE2D, x, weight, bias, g), t0);
}

// B, C and HW = the rest, for the norms: x is (B, C, H, W) or (B, C).
static void norm_dims(const char *op, const Tensor *x, const Tensor *gamma, const Tensor *beta,
                      int *B, int *C, int *HW) {
    if (x->ndim != 2 && x->ndim != 4) {
        char buf[64];
        tensor_fail("%s: expects (B, C, H, W) or (B, C), got %s", op,
                    tensor_shape_str(x, buf, sizeof buf));
    }
    *B = x->shape[0];
    *C = x->shape[1];
    *HW = (int)(x->size / ((long)*B * *C));
    if ((gamma == NULL) != (beta == NULL)) tensor_fail("%s: give gamma and beta together", op);
    expect_size(op, "gamma", gamma, *C);
    expect_size(op, "beta", beta, *C);
}

Tensor *tape_batchnorm(Tape *tp, Tensor *x, Tensor *gamma, Tensor *beta,
                       float *running_mean, float *running_var,
                       float momentum, float eps, int train) {
    double t0 = prof_start();
    int B, C, HW;
    norm_dims("batchnorm", x, gamma, beta, &B, &C, &HW);
    if (!train) {
        int wants_grad = (x->requires_grad || (gamma && gamma->requires_grad) ||
                          (beta && beta->requires_grad)) && !tp->no_grad;
        if (wants_grad)
            tensor_fail("batchnorm in evaluation mode has no backward: run it under no_grad "
                        "(tape_set_no_grad) or in training mode");
        Tensor *out = tape_op_output(tp, OP_BATCHNORM, x->ndim, x->shape, NULL, NULL, NULL);
        batchnorm_forward_eval(out->data, x->data, data_or_null(gamma), data_or_null(beta),
                               running_mean, running_var, eps, B, C, HW);
        return prof_fwd(out, t0);
    }
    if (B * HW < 2) tensor_fail("batchnorm: training needs more than one value per channel");
    Tensor *out = tape_op_output(tp, OP_BATCHNORM, x->ndim, x->shape, x, gamma, beta);
    out->saved[0] = tape_alloc(tp, sizeof(float) * C);   // mean
    out->saved[1] = tape_alloc(tp, sizeof(float) * C);   // rstd
    zero_for_plugged_in(tp, out);
    kernels_of(tp)->batchnorm_forward_train(out->data, out->saved[0], out->saved[1], x->data,
                            data_or_null(gamma), data_or_null(beta), running_mean, running_var,
                            momentum, eps, B, C, HW);
    return prof_fwd(out, t0);
}

Tensor *tape_instancenorm(Tape *tp, Tensor *x, Tensor *gamma, Tensor *beta, float eps) {
    double t0 = prof_start();
    int B, C, HW;
    norm_dims("instancenorm", x, gamma, beta, &B, &C, &HW);
    Tensor *out = tape_op_output(tp, OP_INSTANCENORM, x->ndim, x->shape, x, gamma, beta);
    out->saved[0] = tape_alloc(tp, sizeof(float) * B * C);   // mean
    out->saved[1] = tape_alloc(tp, sizeof(float) * B * C);   // rstd
    instancenorm_forward(out->data, out->saved[0], out->saved[1], x->data, data_or_null(gamma),
                         data_or_null(beta), eps, B, C, HW);
    return prof_fwd(out, t0);
}

// ---------------------------------------------------------------- element-wise

Tensor *tape_relu(Tape *tp, Tensor *x) {
    double t0 = prof_start();
    Tensor *out = tape_op_output(tp, OP_RELU, x->ndim, x->shape, x, NULL, NULL);
    relu_forward(out->data, x->data, (int)x->size);
    return prof_fwd(out, t0);
}

Tensor *tape_leaky_relu(Tape *tp, Tensor *x, float slope) {
    double t0 = prof_start();
    Tensor *out = tape_op_output(tp, OP_LEAKY_RELU, x->ndim, x->shape, x, NULL, NULL);
    out->p.slope = slope;
    leaky_relu_forward(out->data, x->data, slope, (int)x->size);
    return prof_fwd(out, t0);
}

Tensor *tape_tanh(Tape *tp, Tensor *x) {
    double t0 = prof_start();
    Tensor *out = tape_op_output(tp, OP_TANH, x->ndim, x->shape, x, NULL, NULL);
    tanh_forward(out->data, x->data, (int)x->size);
    return prof_fwd(out, t0);
}

Tensor *tape_sigmoid(Tape *tp, Tensor *x) {
    double t0 = prof_start();
    Tensor *out = tape_op_output(tp, OP_SIGMOID, x->ndim, x->shape, x, NULL, NULL);
    sigmoid_forward(out->data, x->data, (int)x->size);
    return prof_fwd(out, t0);
}

Tensor *tape_dropout(Tape *tp, Tensor *x, float p, Rng *rng) {
    double t0 = prof_start();
    if (!(p >= 0.0f && p < 1.0f)) tensor_fail("dropout: p must be in [0, 1), got %g", p);
    if (!rng) tensor_fail("dropout: rng is NULL (in evaluation mode there is no dropout at all)");
    Tensor *out = tape_op_output(tp, OP_DROPOUT, x->ndim, x->shape, x, NULL, NULL);
    out->saved[0] = tape_alloc(tp, sizeof(float) * x->size);   // mask
    dropout_forward(out->data, out->saved[0], x->data, p, (int)x->size, rng);
    return prof_fwd(out, t0);
}

Tensor *tape_add(Tape *tp, Tensor *a, Tensor *b) {
    double t0 = prof_start();
    expect_same_shape("add", a, b);
    Tensor *out = tape_op_output(tp, OP_ADD, a->ndim, a->shape, a, b, NULL);
    add_forward(out->data, a->data, b->data, (int)a->size);
    return prof_fwd(out, t0);
}

// No kernel: multiplying by a constant is one loop each way.
Tensor *tape_scale(Tape *tp, Tensor *x, float s) {
    double t0 = prof_start();
    Tensor *out = tape_op_output(tp, OP_SCALE, x->ndim, x->shape, x, NULL, NULL);
    out->p.scale = s;
    for (long i = 0; i < x->size; i++) out->data[i] = s * x->data[i];
    return prof_fwd(out, t0);
}

// ---------------------------------------------------------------- spatial

Tensor *tape_pad_zero(Tape *tp, Tensor *x, int pad) {
    double t0 = prof_start();
    expect_ndim("pad_zero", x, 4, "(B, C, H, W)");
    int B = x->shape[0], C = x->shape[1], H = x->shape[2], W = x->shape[3];
    Tensor *out = tape_op_output(tp, OP_PAD_ZERO, 4, (int[]){B, C, H + 2 * pad, W + 2 * pad},
                                 x, NULL, NULL);
    out->p.pad = pad;
    pad_zero_forward(out->data, x->data, B, C, H, W, pad);
    return prof_fwd(out, t0);
}

Tensor *tape_pad_reflect(Tape *tp, Tensor *x, int pad) {
    double t0 = prof_start();
    expect_ndim("pad_reflect", x, 4, "(B, C, H, W)");
    int B = x->shape[0], C = x->shape[1], H = x->shape[2], W = x->shape[3];
    if (pad >= H || pad >= W)
        tensor_fail("pad_reflect: padding %d needs an input larger than %dx%d", pad, H, W);
    Tensor *out = tape_op_output(tp, OP_PAD_REFLECT, 4, (int[]){B, C, H + 2 * pad, W + 2 * pad},
                                 x, NULL, NULL);
    out->p.pad = pad;
    pad_reflect_forward(out->data, x->data, B, C, H, W, pad);
    return prof_fwd(out, t0);
}

Tensor *tape_upsample_nearest2x(Tape *tp, Tensor *x) {
    double t0 = prof_start();
    expect_ndim("upsample_nearest2x", x, 4, "(B, C, H, W)");
    int B = x->shape[0], C = x->shape[1], H = x->shape[2], W = x->shape[3];
    Tensor *out = tape_op_output(tp, OP_UPSAMPLE_NEAREST2X, 4, (int[]){B, C, 2 * H, 2 * W},
                                 x, NULL, NULL);
    upsample_nearest2x_forward(out->data, x->data, B, C, H, W);
    return prof_fwd(out, t0);
}

Tensor *tape_maxpool2x2(Tape *tp, Tensor *x) {
    double t0 = prof_start();
    expect_ndim("maxpool2x2", x, 4, "(B, C, H, W)");
    int B = x->shape[0], C = x->shape[1], H = x->shape[2], W = x->shape[3];
    Tensor *out = tape_op_output(tp, OP_MAXPOOL2X2, 4, (int[]){B, C, (H + 1) / 2, (W + 1) / 2},
                                 x, NULL, NULL);
    out->argmax = tape_alloc(tp, sizeof(int) * out->size);
    maxpool2x2_forward(out->data, out->argmax, x->data, B, C, H, W);
    return prof_fwd(out, t0);
}

Tensor *tape_concat_channels(Tape *tp, Tensor *a, Tensor *b) {
    double t0 = prof_start();
    int ok = a->ndim >= 2 && a->ndim == b->ndim && a->shape[0] == b->shape[0];
    for (int i = 2; ok && i < a->ndim; i++) ok = a->shape[i] == b->shape[i];
    if (!ok) {
        char ba[64], bb[64];
        tensor_fail("concat_channels: %s and %s differ outside the channel dimension",
                    tensor_shape_str(a, ba, sizeof ba), tensor_shape_str(b, bb, sizeof bb));
    }
    int shape[4];
    memcpy(shape, a->shape, sizeof shape);
    shape[1] = a->shape[1] + b->shape[1];
    Tensor *out = tape_op_output(tp, OP_CONCAT_CHANNELS, a->ndim, shape, a, b, NULL);
    int HW = (int)(a->size / ((long)a->shape[0] * a->shape[1]));
    concat_channels_forward(out->data, a->data, b->data, a->shape[0], a->shape[1], b->shape[1], HW);
    return prof_fwd(out, t0);
}

Tensor *tape_mean_std_hw(Tape *tp, Tensor *x, float eps) {
    double t0 = prof_start();
    expect_ndim("mean_std_hw", x, 4, "(B, C, H, W)");
    int B = x->shape[0], C = x->shape[1], HW = x->shape[2] * x->shape[3];
    if (HW < 2) tensor_fail("mean_std_hw: the unbiased variance needs H*W >= 2, got %d", HW);
    Tensor *out = tape_op_output(tp, OP_MEAN_STD_HW, 3, (int[]){2, B, C}, x, NULL, NULL);
    mean_std_hw_forward(out->data, out->data + B * C, x->data, eps, B, C, HW);
    return prof_fwd(out, t0);
}

// ---------------------------------------------------------------- losses

// A loss records only the inputs that may carry a gradient; the target of
// BCE is data, kept in src[1] for the backward pass.
Tensor *tape_bce_with_logits(Tape *tp, Tensor *logits, Tensor *target) {
    double t0 = prof_start();
    expect_same_shape("bce_with_logits", logits, target);
    if (target->requires_grad && !tp->no_grad)
        tensor_fail("bce_with_logits: the target requires a gradient; detach it "
                    "(tensor_detach) or make it without requires_grad");
    Tensor *out = tape_op_output(tp, OP_BCE_WITH_LOGITS, 0, NULL, logits, NULL, NULL);
    out->src[1] = target;
    out->data[0] = bce_with_logits_forward(logits->data, target->data, (int)logits->size);
    return prof_fwd(out, t0);
}

// MSE and L1 are symmetric in a and b, so either (or both) may carry a gradient.
Tensor *tape_mse(Tape *tp, Tensor *a, Tensor *b) {
    double t0 = prof_start();
    expect_same_shape("mse", a, b);
    Tensor *out = tape_op_output(tp, OP_MSE, 0, NULL, a, b, NULL);
    out->data[0] = mse_forward(a->data, b->data, (int)a->size);
    return prof_fwd(out, t0);
}

Tensor *tape_l1(Tape *tp, Tensor *a, Tensor *b) {
    double t0 = prof_start();
    expect_same_shape("l1", a, b);
    Tensor *out = tape_op_output(tp, OP_L1, 0, NULL, a, b, NULL);
    out->data[0] = l1_forward(a->data, b->data, (int)a->size);
    return prof_fwd(out, t0);
}

// ---------------------------------------------------------------- backward

void tape_backward_node(Tape *tp, Tensor *t) {
    Tensor *a = t->src[0], *b = t->src[1], *c = t->src[2];
    double t0 = prof_start();
    // The sources' gradients come from the pool the first time one is needed.
    for (int k = 0; k < 3; k++)
        if (t->src[k] && t->src[k]->requires_grad) tensor_grad(tp, t->src[k]);
    float *dout = tensor_grad(tp, t);
    double t1 = prof_start();
    int n = (int)t->size;
    switch (t->op) {
    case OP_LEAF:   // never recorded
    case OP_VIEW:   // its grad is a window into a's grad: already there
        break;
    case OP_LINEAR:
        linear_backward(grad_of(a), grad_of(b), grad_of(c), dout, a->data, b->data,
                        a->shape[0], a->shape[1], b->shape[0]);
        break;
    case OP_CONV2D: {
        float *col = tape_scratch(tp, conv_col_size(&t->p.geom));
        kernels_of(tp)->conv2d_backward(grad_of(a), grad_of(b), grad_of(c), col, dout, a->data,
                                b->data, &t->p.geom);
        break;
    }
    case OP_CONV_TRANSPOSE2D: {
        float *col = tape_scratch(tp, conv_col_size(&t->p.geom));
        kernels_of(tp)->conv_transpose2d_backward(grad_of(a), grad_of(b), grad_of(c), col, dout,
                                          a->data, b->data, &t->p.geom);
        break;
    }
    case OP_BATCHNORM:
    case OP_INSTANCENORM: {
        int B = a->shape[0], C = a->shape[1], HW = (int)(a->size / ((long)B * C));
        if (t->op == OP_BATCHNORM)
            kernels_of(tp)->batchnorm_backward(grad_of(a), grad_of(b), grad_of(c), dout, a->data,
                                       t->saved[0], t->saved[1], data_or_null(b), B, C, HW);
        else
            instancenorm_backward(grad_of(a), grad_of(b), grad_of(c), dout, a->data, t->saved[0],
                                  t->saved[1], data_or_null(b), B, C, HW);
        break;
    }
    case OP_RELU:
        relu_backward(a->grad, a->data, dout, n);
        break;
    case OP_LEAKY_RELU:
        leaky_relu_backward(a->grad, a->data, dout, t->p.slope, n);
        break;
    case OP_TANH:
        tanh_backward(a->grad, t->data, dout, n);
        break;
    case OP_SIGMOID:
        sigmoid_backward(a->grad, t->data, dout, n);
        break;
    case OP_DROPOUT:
        dropout_backward(a->grad, t->saved[0], dout, n);
        break;
    case OP_PAD_ZERO:
    case OP_PAD_REFLECT: {
        int B = a->shape[0], C = a->shape[1], H = a->shape[2], W = a->shape[3];
        if (t->op == OP_PAD_ZERO)
            pad_zero_backward(a->grad, dout, B, C, H, W, t->p.pad);
        else
            pad_reflect_backward(a->grad, dout, B, C, H, W, t->p.pad);
        break;
    }
    case OP_UPSAMPLE_NEAREST2X:
        upsample_nearest2x_backward(a->grad, dout, a->shape[0], a->shape[1], a->shape[2],
                                    a->shape[3]);
        break;
    case OP_MAXPOOL2X2:
        maxpool2x2_backward(a->grad, t->argmax, dout, a->shape[0], a->shape[1], a->shape[2],
                            a->shape[3]);
        break;
    case OP_CONCAT_CHANNELS: {
        int HW = (int)(a->size / ((long)a->shape[0] * a->shape[1]));
        concat_channels_backward(grad_of(a), grad_of(b), dout, a->shape[0], a->shape[1],
                                 b->shape[1], HW);
        break;
    }
    case OP_ADD:
        add_backward(grad_of(a), grad_of(b), dout, n);
        break;
    case OP_SCALE:
        for (int i = 0; i < n; i++) a->grad[i] += t->p.scale * dout[i];
        break;
    case OP_MEAN_STD_HW: {
        int B = a->shape[0], C = a->shape[1];
        mean_std_hw_backward(a->grad, dout, dout + B * C, a->data, t->data, t->data + B * C,
                             B, C, a->shape[2] * a->shape[3]);
        break;
    }
    case OP_BCE_WITH_LOGITS:
        bce_with_logits_backward(a->grad, a->data, b->data, dout[0], (int)a->size);
        break;
    case OP_MSE:
    case OP_L1:
        for (int k = 0; k < 2; k++) {
            Tensor *x = k ? b : a, *other = k ? a : b;
            if (!grad_of(x)) continue;
            if (t->op == OP_MSE)
                mse_backward(x->grad, x->data, other->data, dout[0], (int)x->size);
            else
                l1_backward(x->grad, x->data, other->data, dout[0], (int)x->size);
        }
        break;
    }
    if (profile) {
        profile->grad_ms += t1 - t0;
        profile->bwd_ms[t->op] += now_ms() - t1;
        profile->bwd_calls[t->op]++;
    }
}

void tape_backward(Tape *tp, Tensor *loss) {
    if (!loss) tensor_fail("backward: the loss is NULL");
    if (loss->size != 1) {
        char buf[64];
        tensor_fail("backward: the loss must hold one value, got %s",
                    tensor_shape_str(loss, buf, sizeof buf));
    }
    if (!loss->requires_grad)
        tensor_fail("backward: the loss depends on nothing that requires a gradient "
                    "(made under no_grad, or from detached tensors only?)");
    int pass = ++tp->backward_passes;
    loss->grad[0] += 1.0f;
    loss->visit = pass;
    // Only tensors the loss depends on are visited; the rest of the tape
    // (another network's graph, say) is skipped.
    for (int i = loss->node; i >= 0; i--) {
        Tensor *t = tp->nodes[i];
        if (t->visit != pass) continue;
        tape_backward_node(tp, t);
        for (int k = 0; k < 3; k++)
            if (t->src[k] && t->src[k]->requires_grad) t->src[k]->visit = pass;
        // Passed on: clear it, so a later backward through this node adds
        // only its own gradient; a pooled one goes back for the layers below.
        tensor_drop_grad(tp, t);
    }
}
