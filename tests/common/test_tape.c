// test_tape.c - the autograd tape against PyTorch (tests/ref/gen_tape_optim.py):
// whole small networks' losses and every gradient, a layer used three times,
// a tensor used twice; then no_grad, detach, frozen parameters, a second
// backward on the same tape, views, the arena, and finite differences of the
// whole graph (with dropout).
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "nn/layers.h"
#include "ref.h"
#include "autograd/tape.h"

// Float32 forward/backward against a float64 reference.
#define ATOL 1e-5f
#define RTOL 1e-4f

TestSuite(tape, .timeout = 60);

// Copies every parameter from ref by name; buffers from "<prefix><name>".
static void load_params(ParamSet *ps, const RefFile *ref, const char *buffer_prefix) {
    for (int i = 0; i < ps->n_params; i++)
        memcpy(ps->params[i]->data, ref_get(ref, ps->param_names[i], ps->params[i]->size),
               sizeof(float) * ps->params[i]->size);
    for (int i = 0; i < ps->n_buffers; i++) {
        char name[128];
        snprintf(name, sizeof name, "%s%s", buffer_prefix, ps->buffer_names[i]);
        memcpy(ps->buffers[i]->data, ref_get(ref, name, ps->buffers[i]->size),
               sizeof(float) * ps->buffers[i]->size);
    }
}

// Every parameter's gradient against "<name>.grad".
static void check_param_grads(const ParamSet *ps, const RefFile *ref) {
    for (int i = 0; i < ps->n_params; i++) {
        char name[128];
        snprintf(name, sizeof name, "%s.grad", ps->param_names[i]);
        check_close(name, ps->params[i]->grad, ref_get(ref, name, ps->params[i]->size),
                    ps->params[i]->size, ATOL, RTOL);
    }
}

static Tensor *input_from(Tape *tp, const RefFile *ref, const char *name, int ndim,
                          const int *shape, int requires_grad) {
    Tensor *t = tape_tensor(tp, ndim, shape, requires_grad);
    memcpy(t->data, ref_get(ref, name, t->size), sizeof(float) * t->size);
    return t;
}

// ---------------------------------------------------------------- tape_net

// conv -> BN -> leaky -> conv-transpose -> tanh -> flatten -> linear (logit)
typedef struct {
    ParamSet ps;
    Conv2d conv1;
    BatchNorm2d bn;
    ConvTranspose2d convt;
    Linear fc;
    float dropout;   // 0: none; otherwise after the activation, with rng
    Rng rng;
    int smooth;      // tanh instead of leaky ReLU: no kink for finite differences
} Net;

static void net_build(Net *n) {
    Rng init;
    rng_seed(&init, 1);
    paramset_init(&n->ps);
    nn_conv2d_init(&n->conv1, &n->ps, "conv1", 2, 3, 3, 1, 1, 1, &init);
    nn_batchnorm2d_init(&n->bn, &n->ps, "bn", 3, &init);
    nn_conv_transpose2d_init(&n->convt, &n->ps, "convt", 3, 2, 4, 2, 1, 0, 1, &init);
    nn_linear_init(&n->fc, &n->ps, "fc", 128, 1, 1, &init);
    n->dropout = 0.0f;
    n->smooth = 0;
}

static Tensor *net_forward(Tape *tp, Net *n, Tensor *x) {
    Tensor *h = nn_conv2d_forward(tp, &n->conv1, x);
    h = nn_batchnorm2d_forward(tp, &n->bn, h, 1);
    h = n->smooth ? tape_tanh(tp, h) : tape_leaky_relu(tp, h, 0.2f);
    if (n->dropout > 0.0f) h = tape_dropout(tp, h, n->dropout, &n->rng);
    h = tape_tanh(tp, nn_conv_transpose2d_forward(tp, &n->convt, h));
    return nn_linear_forward(tp, &n->fc, tensor_flatten(tp, h));
}

Test(tape, conv_bn_convt_linear_bce_matches_torch) {
    RefFile *ref = ref_open("tape_net.bin");
    Net n;
    net_build(&n);
    load_params(&n.ps, ref, "init.");
    Tape tp;
    tape_init(&tp);
    Tensor *x = input_from(&tp, ref, "x", 4, (int[]){2, 2, 4, 4}, 1);
    Tensor *target = input_from(&tp, ref, "target", 2, (int[]){2, 1}, 0);
    Tensor *loss = tape_bce_with_logits(&tp, net_forward(&tp, &n, x), target);
    check_close("loss", loss->data, ref_get(ref, "loss", 1), 1, ATOL, RTOL);
    tape_backward(&tp, loss);
    check_param_grads(&n.ps, ref);
    check_close("x.grad", x->grad, ref_get(ref, "x.grad", x->size), x->size, ATOL, RTOL);
    check_close("bn.running_mean", n.bn.running_mean->data,
                ref_get(ref, "bn.running_mean", 3), 3, ATOL, RTOL);
    check_close("bn.running_var", n.bn.running_var->data, ref_get(ref, "bn.running_var", 3), 3,
                ATOL, RTOL);
    tape_free(&tp);
    paramset_free(&n.ps);
    ref_close(ref);
}

// ---------------------------------------------------------------- tape_net2

typedef struct {
    ParamSet ps;
    Conv2d conv1, conv2;
    InstanceNorm2d norm;
} Net2;

Test(tape, spatial_ops_norms_and_weighted_losses_match_torch) {
    RefFile *ref = ref_open("tape_net2.bin");
    Net2 n;
    Rng init;
    rng_seed(&init, 2);
    paramset_init(&n.ps);
    nn_conv2d_init(&n.conv1, &n.ps, "conv1", 2, 3, 3, 1, 0, 1, &init);
    nn_instancenorm2d_init(&n.norm, &n.ps, "norm", 3, 1, &init);
    nn_conv2d_init(&n.conv2, &n.ps, "conv2", 5, 5, 3, 1, 0, 0, &init);
    load_params(&n.ps, ref, "");
    Tape tp;
    tape_init(&tp);
    int full[4] = {2, 5, 6, 6}, stat[3] = {1, 2, 5};
    Tensor *x = input_from(&tp, ref, "x", 4, (int[]){2, 2, 6, 6}, 1);
    Tensor *t_mse = input_from(&tp, ref, "t_mse", 4, full, 0);
    Tensor *t_l1 = input_from(&tp, ref, "t_l1", 4, full, 0);
    Tensor *t_mean = input_from(&tp, ref, "t_mean", 3, stat, 0);
    Tensor *t_std = input_from(&tp, ref, "t_std", 3, stat, 0);

    Tensor *h = nn_conv2d_forward(&tp, &n.conv1, tape_pad_reflect(&tp, x, 1));
    h = tape_relu(&tp, nn_instancenorm2d_forward(&tp, &n.norm, h));
    Tensor *u = tape_upsample_nearest2x(&tp, tape_maxpool2x2(&tp, h));
    Tensor *c = tape_concat_channels(&tp, u, x);
    Tensor *r = tape_add(&tp, c, nn_conv2d_forward(&tp, &n.conv2, tape_pad_zero(&tp, c, 1)));
    Tensor *s = tape_sigmoid(&tp, r);
    Tensor *st = tape_mean_std_hw(&tp, r, 1e-5f);
    Tensor *style = tape_add(&tp, tape_mse(&tp, tensor_slice(&tp, st, 0, 1), t_mean),
                             tape_mse(&tp, tensor_slice(&tp, st, 1, 1), t_std));
    Tensor *loss = tape_add(&tp, tape_mse(&tp, s, t_mse), tape_scale(&tp, tape_l1(&tp, s, t_l1), 100));
    loss = tape_add(&tp, loss, tape_scale(&tp, style, 0.5f));

    check_close("loss", loss->data, ref_get(ref, "loss", 1), 1, ATOL, RTOL);
    tape_backward(&tp, loss);
    check_param_grads(&n.ps, ref);
    check_close("x.grad", x->grad, ref_get(ref, "x.grad", x->size), x->size, ATOL, RTOL);
    tape_free(&tp);
    paramset_free(&n.ps);
    ref_close(ref);
}

// ---------------------------------------------------------------- reuse

Test(tape, layer_used_three_times_gets_the_sum_of_its_gradients) {
    RefFile *ref = ref_open("tape_shared.bin");
    ParamSet ps;
    Linear g;
    Rng init;
    rng_seed(&init, 3);
    paramset_init(&ps);
    nn_linear_init(&g, &ps, "g", 4, 4, 1, &init);
    load_params(&ps, ref, "");
    Tape tp;
    tape_init(&tp);
    Tensor *z = input_from(&tp, ref, "z", 2, (int[]){3, 4}, 1);
    Tensor *t1 = input_from(&tp, ref, "t1", 2, (int[]){3, 4}, 0);
    Tensor *t2 = input_from(&tp, ref, "t2", 2, (int[]){3, 4}, 0);
    Tensor *a = tape_tanh(&tp, nn_linear_forward(&tp, &g, z));
    Tensor *b = tape_tanh(&tp, nn_linear_forward(&tp, &g, a));
    Tensor *c = tape_tanh(&tp, nn_linear_forward(&tp, &g, b));
    Tensor *loss = tape_add(&tp, tape_mse(&tp, c, t1), tape_l1(&tp, a, t2));
    check_close("loss", loss->data, ref_get(ref, "loss", 1), 1, ATOL, RTOL);
    tape_backward(&tp, loss);
    check_param_grads(&ps, ref);
    check_close("z.grad", z->grad, ref_get(ref, "z.grad", z->size), z->size, ATOL, RTOL);
    tape_free(&tp);
    paramset_free(&ps);
    ref_close(ref);
}

Test(tape, tensor_used_twice_gets_both_gradients) {
    Tape tp;
    tape_init(&tp);
    Tensor *x = tape_tensor(&tp, 1, (int[]){3}, 1);
    Tensor *zero = tape_tensor(&tp, 1, (int[]){3}, 0);
    float xs[3] = {1.0f, -2.0f, 0.5f};
    memcpy(x->data, xs, sizeof xs);
    // loss = mean((x + 3x)^2) = 16 mean(x^2): d/dx = 32 x / 3
    Tensor *loss = tape_mse(&tp, tape_add(&tp, x, tape_scale(&tp, x, 3.0f)), zero);
    tape_backward(&tp, loss);
    float want[3];
    for (int i = 0; i < 3; i++) want[i] = 32.0f * xs[i] / 3.0f;
    check_close("x.grad", x->grad, want, 3, 1e-5f, 1e-5f);
    tape_free(&tp);
}

// ---------------------------------------------------------------- blocking gradients

// A 2-layer "GAN": G = Linear(2, 3), D = Linear(3, 1), in their own ParamSets.
typedef struct {
    ParamSet gps, dps;
    Linear g, d;
} TinyGan;

static void tiny_gan_build(TinyGan *m) {
    Rng init;
    rng_seed(&init, 4);
    paramset_init(&m->gps);
    paramset_init(&m->dps);
    nn_linear_init(&m->g, &m->gps, "g", 2, 3, 1, &init);
    nn_linear_init(&m->d, &m->dps, "d", 3, 1, 1, &init);
    // Large weights so that no gradient is accidentally tiny.
    for (long i = 0; i < m->gps.size; i++) m->gps.data[i] = 0.3f + 0.1f * (float)i;
    for (long i = 0; i < m->dps.size; i++) m->dps.data[i] = 0.5f - 0.2f * (float)i;
}

static void tiny_gan_free(TinyGan *m) {
    paramset_free(&m->gps);
    paramset_free(&m->dps);
}

static Tensor *tiny_z(Tape *tp) {
    Tensor *z = tape_tensor(tp, 2, (int[]){2, 2}, 0);
    float v[4] = {1.0f, -1.0f, 0.5f, 2.0f};
    memcpy(z->data, v, sizeof v);
    return z;
}

static double abs_sum(const float *x, long n) {
    double s = 0.0;
    for (long i = 0; i < n; i++) s += x[i] < 0 ? -x[i] : x[i];
    return s;
}

Test(tape, no_grad_records_nothing_and_allocates_no_gradient) {
    TinyGan m;
    tiny_gan_build(&m);
    Tape tp;
    tape_init(&tp);
    int was = tape_set_no_grad(&tp, 1);
    cr_assert_eq(was, 0, "a new tape starts with gradients enabled");
    Tensor *fake = nn_linear_forward(&tp, &m.g, tiny_z(&tp));
    Tensor *logit = nn_linear_forward(&tp, &m.d, tape_tanh(&tp, fake));
    cr_assert_eq(tp.n_nodes, 0, "no_grad recorded %d nodes", tp.n_nodes);
    cr_assert(!logit->requires_grad && logit->grad == NULL, "no_grad output has a gradient");
    Tensor *x = tape_tensor(&tp, 1, (int[]){2}, 1);
    cr_assert(x->grad == NULL, "no_grad leaf got a gradient buffer");
    tape_set_no_grad(&tp, was);
    cr_assert_eq(tp.no_grad, 0, "no_grad not restored");
    tape_free(&tp);
    tiny_gan_free(&m);
}

Test(tape, detach_stops_gradient_at_the_generator) {
    TinyGan m;
    tiny_gan_build(&m);
    Tape tp;
    tape_init(&tp);
    Tensor *fake = tape_tanh(&tp, nn_linear_forward(&tp, &m.g, tiny_z(&tp)));
    Tensor *logit = nn_linear_forward(&tp, &m.d, tensor_detach(&tp, fake));
    cr_assert(fake->data == tensor_detach(&tp, fake)->data, "detach must share data");
    tape_backward(&tp, tape_bce_with_logits(&tp, logit, tape_full_like(&tp, logit, 0.0f)));
    cr_assert(abs_sum(m.gps.grad, m.gps.size) == 0.0, "G got a gradient through detach");
    cr_assert(abs_sum(m.dps.grad, m.dps.size) > 0.0, "D got no gradient");
    tape_free(&tp);
    tiny_gan_free(&m);
}

Test(tape, generator_step_through_frozen_discriminator) {
    TinyGan m;
    tiny_gan_build(&m);
    Tape tp;
    tape_init(&tp);
    // Not frozen: D accumulates gradients too (and is simply not stepped).
    Tensor *logit = nn_linear_forward(&tp, &m.d, nn_linear_forward(&tp, &m.g, tiny_z(&tp)));
    tape_backward(&tp, tape_bce_with_logits(&tp, logit, tape_full_like(&tp, logit, 1.0f)));
    cr_assert(abs_sum(m.dps.grad, m.dps.size) > 0.0, "unfrozen D got no gradient");
    double g_grad = abs_sum(m.gps.grad, m.gps.size);
    cr_assert(g_grad > 0.0, "G got no gradient through D");
    // Frozen: the same G gradient, D untouched.
    paramset_zero_grad(&m.gps);
    paramset_zero_grad(&m.dps);
    paramset_set_requires_grad(&m.dps, 0);
    tape_reset(&tp);
    logit = nn_linear_forward(&tp, &m.d, nn_linear_forward(&tp, &m.g, tiny_z(&tp)));
    tape_backward(&tp, tape_bce_with_logits(&tp, logit, tape_full_like(&tp, logit, 1.0f)));
    cr_assert(abs_sum(m.dps.grad, m.dps.size) == 0.0, "frozen D got a gradient");
    cr_assert(abs_sum(m.gps.grad, m.gps.size) == g_grad, "G's gradient changed with D frozen: "
              "%g vs %g", abs_sum(m.gps.grad, m.gps.size), g_grad);
    tape_free(&tp);
    tiny_gan_free(&m);
}

// Two backward passes through a shared subgraph add up to one pass on the sum.
Test(tape, second_backward_adds_only_its_own_gradient) {
    TinyGan m;
    tiny_gan_build(&m);
    Tape tp;
    tape_init(&tp);
    Tensor *h = tape_tanh(&tp, nn_linear_forward(&tp, &m.g, tiny_z(&tp)));
    Tensor *logit = nn_linear_forward(&tp, &m.d, h);
    Tensor *l1 = tape_bce_with_logits(&tp, logit, tape_full_like(&tp, logit, 1.0f));
    Tensor *l2 = tape_bce_with_logits(&tp, logit, tape_full_like(&tp, logit, 0.0f));
    Tensor *sum = tape_add(&tp, l1, l2);
    tape_backward(&tp, sum);
    float g_once[64], d_once[64];
    memcpy(g_once, m.gps.grad, sizeof(float) * m.gps.size);
    memcpy(d_once, m.dps.grad, sizeof(float) * m.dps.size);
    paramset_zero_grad(&m.gps);
    paramset_zero_grad(&m.dps);
    tape_backward(&tp, l1);
    tape_backward(&tp, l2);
    check_close("G grad, two passes", m.gps.grad, g_once, m.gps.size, 1e-6f, 1e-5f);
    check_close("D grad, two passes", m.dps.grad, d_once, m.dps.size, 1e-6f, 1e-5f);
    tape_free(&tp);
    tiny_gan_free(&m);
}

// ---------------------------------------------------------------- views and memory

Test(tape, views_share_data_and_gradient) {
    Tape tp;
    tape_init(&tp);
    Tensor *x = tape_tensor(&tp, 4, (int[]){2, 3, 2, 2}, 1);
    for (long i = 0; i < x->size; i++) x->data[i] = (float)i;
    Tensor *f = tensor_flatten(&tp, x);
    cr_assert(f->ndim == 2 && f->shape[0] == 2 && f->shape[1] == 12, "flatten shape");
    cr_assert(f->data == x->data, "flatten must share data");
    Tensor *second = tensor_slice(&tp, tensor_reshape(&tp, x, 2, (int[]){6, 4}), 3, 3);
    cr_assert(second->data == x->data + 12, "slice must point into its source");
    // d/dx of 2 * mean(second half) = 2/12 on the second half, 0 on the first.
    Tensor *zero = tape_tensor(&tp, 2, (int[]){3, 4}, 0);
    Tensor *loss = tape_l1(&tp, tape_scale(&tp, second, 2.0f), zero);
    tape_backward(&tp, loss);
    float want[24];
    for (int i = 0; i < 24; i++) want[i] = i >= 12 ? 2.0f / 12 : 0.0f;
    check_close("x.grad through reshape and slice", x->grad, want, 24, 1e-7f, 1e-6f);
    tape_free(&tp);
}

Test(tape, arena_settles_into_one_block) {
    Net n;
    net_build(&n);
    Tape tp;
    tape_init(&tp);
    for (int step = 0; step < 3; step++) {
        tape_reset(&tp);
        Tensor *x = tape_tensor(&tp, 4, (int[]){2, 2, 4, 4}, 0);
        for (long i = 0; i < x->size; i++) x->data[i] = (float)(i % 7) - 3.0f;
        Tensor *big = tape_tensor(&tp, 1, (int[]){1 << 19}, 1);   // 2 MB each for data, grad
        (void)big;
        Tensor *logit = net_forward(&tp, &n, x);
        tape_backward(&tp, tape_bce_with_logits(&tp, logit, tape_full_like(&tp, logit, 1.0f)));
        if (step > 0) cr_assert_eq(tp.n_old, 0, "step %d still needed a second block", step);
    }
    cr_assert(tp.cap >= tp.used, "arena bookkeeping: used %zu > cap %zu", tp.used, tp.cap);
    tape_free(&tp);
    paramset_free(&n.ps);
}

// ---------------------------------------------------------------- finite differences

typedef struct {
    Net *net;
    const float *x;
    Tape *tp;
    Tensor *loss;   // the last loss computed
} FdNet;

// The loss, recomputed from scratch; the same dropout mask every time.
static double net_loss(void *p) {
    FdNet *c = p;
    tape_reset(c->tp);
    rng_seed(&c->net->rng, 9);
    Tensor *x = tape_tensor(c->tp, 4, (int[]){2, 2, 4, 4}, 0);
    memcpy(x->data, c->x, sizeof(float) * x->size);
    Tensor *logit = net_forward(c->tp, c->net, x);
    Tensor *target = tape_tensor(c->tp, 2, (int[]){2, 1}, 0);
    target->data[0] = 1.0f;
    c->loss = tape_bce_with_logits(c->tp, logit, target);
    return c->loss->data[0];
}

Test(tape, whole_graph_gradient_matches_finite_differences) {
    Net n;
    net_build(&n);
    n.dropout = 0.3f;
    n.smooth = 1;
    // Larger weights than the N(0, 0.02) init, so the loss is not flat.
    Rng rng;
    rng_seed(&rng, 5);
    rng_fill_normal(&rng, n.ps.data, (int)n.ps.size, 0.0f, 0.5f);
    float x[64];   // (2, 2, 4, 4)
    rng_fill_normal(&rng, x, 64, 0.0f, 1.0f);
    Tape tp;
    tape_init(&tp);
    FdNet ctx = {&n, x, &tp, NULL};
    double loss = net_loss(&ctx);
    cr_assert(loss > 0.0, "loss %g", loss);
    tape_backward(&tp, ctx.loss);
    float grad[1024];
    cr_assert(n.ps.size <= 1024, "test buffer too small for %ld parameters", n.ps.size);
    memcpy(grad, n.ps.grad, sizeof(float) * n.ps.size);
    check_grad_fd("net parameters", n.ps.data, grad, n.ps.size, net_loss, &ctx, 1e-2f, 2e-3f,
                  2e-2f, 120);
    tape_free(&tp);
    paramset_free(&n.ps);
}
