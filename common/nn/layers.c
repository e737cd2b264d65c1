// layers.c - ParamSet and the parameter layers.
#include "nn/layers.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

// The DCGAN initialisation (Radford et al.), used by every model of the course.
#define INIT_STD 0.02f

static void *xrealloc(void *p, size_t bytes) {
    p = realloc(p, bytes ? bytes : 1);
    if (!p) tensor_fail("out of memory growing a ParamSet to %zu bytes", bytes);
    return p;
}

void paramset_init(ParamSet *ps) {
    memset(ps, 0, sizeof *ps);
}

void paramset_free(ParamSet *ps) {
    for (int i = 0; i < ps->n_params; i++) free(ps->params[i]);
    for (int i = 0; i < ps->n_buffers; i++) free(ps->buffers[i]);
    free(ps->params);
    free(ps->buffers);
    free(ps->param_names);
    free(ps->buffer_names);
    free(ps->data);
    free(ps->grad);
    free(ps->buf_data);
    memset(ps, 0, sizeof *ps);
}

static Tensor *new_view_tensor(int ndim, const int *shape) {
    if (ndim < 1 || ndim > 4) tensor_fail("a parameter has 1 to 4 dimensions, not %d", ndim);
    Tensor *t = calloc(1, sizeof(Tensor));
    if (!t) tensor_fail("out of memory");
    t->ndim = ndim;
    t->size = 1;
    for (int i = 0; i < 4; i++) {
        t->shape[i] = i < ndim ? shape[i] : 1;
        if (t->shape[i] <= 0) tensor_fail("dimension %d of a parameter is %d", i, t->shape[i]);
        t->size *= t->shape[i];
    }
    t->op = OP_LEAF;
    t->node = -1;
    return t;
}

// The blocks move when they grow: point every tensor at its place again.
static void rebase(Tensor **ts, int n, float *data, float *grad) {
    long offset = 0;
    for (int i = 0; i < n; i++) {
        ts[i]->data = data + offset;
        if (grad) ts[i]->grad = grad + offset;
        offset += ts[i]->size;
    }
}

static void set_name(char (*names)[PARAM_NAME_LEN], int i, const char *name) {
    snprintf(names[i], PARAM_NAME_LEN, "%s", name);
}

Tensor *paramset_add(ParamSet *ps, const char *name, int ndim, const int *shape) {
    Tensor *t = new_view_tensor(ndim, shape);
    t->requires_grad = 1;
    int n = ps->n_params + 1;
    ps->params = xrealloc(ps->params, sizeof(Tensor *) * n);
    ps->param_names = xrealloc(ps->param_names, PARAM_NAME_LEN * (size_t)n);
    ps->params[n - 1] = t;
    set_name(ps->param_names, n - 1, name);
    ps->data = xrealloc(ps->data, sizeof(float) * (ps->size + t->size));
    ps->grad = xrealloc(ps->grad, sizeof(float) * (ps->size + t->size));
    memset(ps->data + ps->size, 0, sizeof(float) * t->size);
    memset(ps->grad + ps->size, 0, sizeof(float) * t->size);
    ps->size += t->size;
    ps->n_params = n;
    rebase(ps->params, n, ps->data, ps->grad);
    return t;
}

Tensor *paramset_add_buffer(ParamSet *ps, const char *name, int ndim, const int *shape) {
    Tensor *t = new_view_tensor(ndim, shape);
    int n = ps->n_buffers + 1;
    ps->buffers = xrealloc(ps->buffers, sizeof(Tensor *) * n);
    ps->buffer_names = xrealloc(ps->buffer_names, PARAM_NAME_LEN * (size_t)n);
    ps->buffers[n - 1] = t;
    set_name(ps->buffer_names, n - 1, name);
    ps->buf_data = xrealloc(ps->buf_data, sizeof(float) * (ps->buf_size + t->size));
    memset(ps->buf_data + ps->buf_size, 0, sizeof(float) * t->size);
    ps->buf_size += t->size;
    ps->n_buffers = n;
    rebase(ps->buffers, n, ps->buf_data, NULL);
    return t;
}

void paramset_zero_grad(ParamSet *ps) {
    memset(ps->grad, 0, sizeof(float) * ps->size);
}

void paramset_set_requires_grad(ParamSet *ps, int requires_grad) {
    for (int i = 0; i < ps->n_params; i++) ps->params[i]->requires_grad = requires_grad;
}

// ---------------------------------------------------------------- layers

// name + "." + what, e.g. "g.fc" + "weight" -> "g.fc.weight"
static Tensor *add_named(ParamSet *ps, const char *name, const char *what, int ndim,
                         const int *shape) {
    char full[PARAM_NAME_LEN];
    snprintf(full, sizeof full, "%s.%s", name, what);
    return paramset_add(ps, full, ndim, shape);
}

static Tensor *add_buffer_named(ParamSet *ps, const char *name, const char *what, int ndim,
                                const int *shape) {
    char full[PARAM_NAME_LEN];
    snprintf(full, sizeof full, "%s.%s", name, what);
    return paramset_add_buffer(ps, full, ndim, shape);
}

// A weight N(0, 0.02) and, when asked, a zero bias of n_out values.
static void add_weight_bias(ParamSet *ps, const char *name, int ndim, const int *wshape,
                            int n_out, int bias, Rng *rng, Tensor **w, Tensor **b) {
    *w = add_named(ps, name, "weight", ndim, wshape);
    rng_fill_normal(rng, (*w)->data, (int)(*w)->size, 0.0f, INIT_STD);
    *b = bias ? add_named(ps, name, "bias", 1, (int[]){n_out}) : NULL;
}

void nn_linear_init(Linear *l, ParamSet *ps, const char *name, int in, int out, int bias,
                    Rng *rng) {
    add_weight_bias(ps, name, 2, (int[]){out, in}, out, bias, rng, &l->weight, &l->bias);
}

// A layer struct that its _init never filled (zeroed by the model's init):
// a network that uses a layer it does not have, e.g. a norm where there is none.
static void expect_initialised(const void *field, const char *layer, const char *init) {
    if (!field)
        tensor_fail("%s: this layer was never initialised (%s): does the network have one "
                    "here?", layer, init);
}

Tensor *nn_linear_forward(Tape *tp, const Linear *l, Tensor *x) {
    expect_initialised(l->weight, "linear", "nn_linear_init");
    return tape_linear(tp, x, l->weight, l->bias);
}

void nn_conv2d_init(Conv2d *l, ParamSet *ps, const char *name, int in_ch, int out_ch,
                    int kernel, int stride, int pad, int bias, Rng *rng) {
    add_weight_bias(ps, name, 4, (int[]){out_ch, in_ch, kernel, kernel}, out_ch, bias, rng,
                    &l->weight, &l->bias);
    l->stride = stride;
    l->pad = pad;
}

Tensor *nn_conv2d_forward(Tape *tp, const Conv2d *l, Tensor *x) {
    expect_initialised(l->weight, "conv2d", "nn_conv2d_init");
    return tape_conv2d(tp, x, l->weight, l->bias, l->stride, l->pad);
}

void nn_conv_transpose2d_init(ConvTranspose2d *l, ParamSet *ps, const char *name, int in_ch,
                              int out_ch, int kernel, int stride, int pad, int out_pad,
                              int bias, Rng *rng) {
    add_weight_bias(ps, name, 4, (int[]){in_ch, out_ch, kernel, kernel}, out_ch, bias, rng,
                    &l->weight, &l->bias);
    l->stride = stride;
    l->pad = pad;
    l->out_pad = out_pad;
}

Tensor *nn_conv_transpose2d_forward(Tape *tp, const ConvTranspose2d *l, Tensor *x) {
    expect_initialised(l->weight, "conv_transpose2d", "nn_conv_transpose2d_init");
    return tape_conv_transpose2d(tp, x, l->weight, l->bias, l->stride, l->pad, l->out_pad);
}

// Gains N(1, 0.02) and shifts 0: the norm starts as (almost) the identity.
static void add_norm_affine(ParamSet *ps, const char *name, int channels, Rng *rng,
                            Tensor **gamma, Tensor **beta) {
    *gamma = add_named(ps, name, "weight", 1, (int[]){channels});
    rng_fill_normal(rng, (*gamma)->data, channels, 1.0f, INIT_STD);
    *beta = add_named(ps, name, "bias", 1, (int[]){channels});
}

void nn_batchnorm2d_init(BatchNorm2d *l, ParamSet *ps, const char *name, int channels, Rng *rng) {
    add_norm_affine(ps, name, channels, rng, &l->gamma, &l->beta);
    l->running_mean = add_buffer_named(ps, name, "running_mean", 1, (int[]){channels});
    l->running_var = add_buffer_named(ps, name, "running_var", 1, (int[]){channels});
    for (int i = 0; i < channels; i++) l->running_var->data[i] = 1.0f;
    l->momentum = 0.1f;
    l->eps = 1e-5f;
}

Tensor *nn_batchnorm2d_forward(Tape *tp, const BatchNorm2d *l, Tensor *x, int train) {
    expect_initialised(l->running_mean, "batchnorm", "nn_batchnorm2d_init");
    return tape_batchnorm(tp, x, l->gamma, l->beta, l->running_mean->data, l->running_var->data,
                          l->momentum, l->eps, train);
}

void nn_instancenorm2d_init(InstanceNorm2d *l, ParamSet *ps, const char *name, int channels,
                            int affine, Rng *rng) {
    l->gamma = l->beta = NULL;
    if (affine) add_norm_affine(ps, name, channels, rng, &l->gamma, &l->beta);
    l->eps = 1e-5f;
}

Tensor *nn_instancenorm2d_forward(Tape *tp, const InstanceNorm2d *l, Tensor *x) {
    if (!(l->eps > 0.0f))   // affine 0 leaves gamma NULL; only the init sets eps
        tensor_fail("instancenorm: this layer was never initialised (nn_instancenorm2d_init): "
                    "does the network have one here?");
    return tape_instancenorm(tp, x, l->gamma, l->beta, l->eps);
}
