// test_layers.c - ParamSet and the layers: exact parameter counts of the W1
// DCGAN (by hand and from PyTorch's numel, tests/ref/gen_tape_optim.py), the
// DCGAN initialisation, one contiguous block, freezing, batch norm's
// evaluation mode and output shapes.
#include <criterion/criterion.h>
#include <math.h>
#include <string.h>

#include "check.h"
#include "models/dcgan.h"
#include "ref.h"

TestSuite(layers, .timeout = 60);

// bench/WORKLOADS.md W1, the library's DCGAN (common/models/dcgan.h), each net in its own
// ParamSet as the lessons hold them:
//   G = Linear(100, 256*7*7) -> BN -> ReLU -> reshape -> ConvT(256, 128, 4, 2, 1) -> BN -> ReLU
//       -> ConvT(128, 1, 4, 2, 1) -> tanh
//   D = Conv(1, 64, 4, 2, 1) -> LReLU -> Conv(64, 128, 4, 2, 1) -> BN -> LReLU -> flatten
//       -> Linear(6272, 1)
// Convolutions have a bias unless a norm follows.
typedef struct {
    ParamSet ps;
    DcganG net;
} G;

typedef struct {
    ParamSet ps;
    DcganD net;
} D;

static void g_build(G *g, Rng *rng) {
    DcganConfig cfg = dcgan_config_w1();
    paramset_init(&g->ps);
    dcgan_g_init(&g->net, &g->ps, "g", &cfg, rng);
}

static void d_build(D *d, Rng *rng) {
    DcganConfig cfg = dcgan_config_w1();
    paramset_init(&d->ps);
    dcgan_d_init(&d->net, &d->ps, "d", &cfg, rng);
}

Test(layers, dcgan_w1_parameter_counts) {
    // By hand, layer by layer:
    //   G: fc 100*12544 + 12544 = 1266944; bn0 2*12544 = 25088;
    //      up1 256*128*16 = 524288 (no bias); bn1 2*128 = 256; up2 128*16 + 1 = 2049
    //   D: c1 64*16 + 64 = 1088; c2 64*128*16 = 131072 (no bias); bn 256; fc 6272 + 1 = 6273
    const long g_layers[5] = {1266944, 25088, 524288, 256, 2049};
    const long d_layers[4] = {1088, 131072, 256, 6273};
    const long g_total = 1818625, d_total = 138689;
    Rng rng;
    rng_seed(&rng, 1);
    G g;
    D d;
    g_build(&g, &rng);
    d_build(&d, &rng);
    cr_assert_eq(g.ps.size, g_total, "G has %ld parameters, expected %ld", g.ps.size, g_total);
    cr_assert_eq(d.ps.size, d_total, "D has %ld parameters, expected %ld", d.ps.size, d_total);

    RefFile *ref = ref_open("tape_counts.bin");
    cr_assert_eq((long)ref_scalar(ref, "dcgan_g"), g_total, "PyTorch's G numel differs");
    cr_assert_eq((long)ref_scalar(ref, "dcgan_d"), d_total, "PyTorch's D numel differs");
    const float *tg = ref_get(ref, "dcgan_g_layers", 5), *td = ref_get(ref, "dcgan_d_layers", 4);
    // Our tensors per layer: fc (w, b), bn0 (w, b), up1 (w), bn1 (w, b), up2 (w, b).
    const int g_tensors[5] = {2, 2, 1, 2, 2}, d_tensors[4] = {2, 1, 2, 2};
    for (int l = 0, t = 0; l < 5; l++) {
        long n = 0;
        for (int k = 0; k < g_tensors[l]; k++) n += g.ps.params[t++]->size;
        cr_assert_eq(n, g_layers[l], "G layer %d: %ld parameters, expected %ld", l, n, g_layers[l]);
        cr_assert_eq((long)tg[l], n, "G layer %d: PyTorch has %ld, we have %ld", l, (long)tg[l], n);
    }
    for (int l = 0, t = 0; l < 4; l++) {
        long n = 0;
        for (int k = 0; k < d_tensors[l]; k++) n += d.ps.params[t++]->size;
        cr_assert_eq(n, d_layers[l], "D layer %d: %ld parameters, expected %ld", l, n, d_layers[l]);
        cr_assert_eq((long)td[l], n, "D layer %d: PyTorch has %ld, we have %ld", l, (long)td[l], n);
    }
    // Running statistics are buffers, not parameters.
    cr_assert_eq(g.ps.buf_size, 2 * (12544 + 128), "G buffers: %ld", g.ps.buf_size);
    ref_close(ref);
    paramset_free(&g.ps);
    paramset_free(&d.ps);
}

static void mean_std(const float *x, long n, double *mean, double *std) {
    double s = 0, s2 = 0;
    for (long i = 0; i < n; i++) s += x[i], s2 += (double)x[i] * x[i];
    *mean = s / n;
    *std = sqrt(s2 / n - *mean * *mean);
}

Test(layers, dcgan_initialisation) {
    Rng rng;
    rng_seed(&rng, 2);
    G g;
    g_build(&g, &rng);
    double m, s;
    mean_std(g.net.fc.weight->data, g.net.fc.weight->size, &m, &s);   // 1.25M samples
    cr_assert(fabs(m) < 1e-3 && fabs(s - 0.02) < 1e-3, "fc.weight mean %g std %g, want N(0, 0.02)",
              m, s);
    mean_std(g.net.bn0.gamma->data, g.net.bn0.gamma->size, &m, &s);   // 12544 samples
    cr_assert(fabs(m - 1.0) < 2e-3 && fabs(s - 0.02) < 2e-3,
              "bn0.weight mean %g std %g, want N(1, 0.02)", m, s);
    for (int i = 0; i < 12544; i++) {
        cr_assert(g.net.fc.bias->data[i] == 0.0f && g.net.bn0.beta->data[i] == 0.0f,
                  "biases and norm shifts start at 0 (index %d)", i);
        cr_assert(g.net.bn0.running_mean->data[i] == 0.0f && g.net.bn0.running_var->data[i] == 1.0f,
                  "running stats start at mean 0, var 1 (index %d)", i);
    }
    cr_assert(g.net.up1.bias == NULL, "up1 was made without a bias");
    paramset_free(&g.ps);
}

Test(layers, parameters_form_one_block_in_order) {
    Rng rng;
    rng_seed(&rng, 3);
    D d;
    d_build(&d, &rng);
    long offset = 0;
    for (int i = 0; i < d.ps.n_params; i++) {
        cr_assert(d.ps.params[i]->data == d.ps.data + offset, "tensor %d (%s) is not at offset %ld",
                  i, d.ps.param_names[i], offset);
        cr_assert(d.ps.params[i]->grad == d.ps.grad + offset, "grad of %s misplaced",
                  d.ps.param_names[i]);
        offset += d.ps.params[i]->size;
    }
    cr_assert_eq(offset, d.ps.size, "the block holds %ld floats, the tensors %ld", d.ps.size, offset);
    cr_assert_str_eq(d.ps.param_names[0], "d.c1.weight", "first name");
    cr_assert_str_eq(d.ps.buffer_names[1], "d.bn2.running_var", "buffer name");
    for (long i = 0; i < d.ps.size; i++) d.ps.grad[i] = 1.0f;
    paramset_zero_grad(&d.ps);
    for (long i = 0; i < d.ps.size; i++) cr_assert(d.ps.grad[i] == 0.0f, "zero_grad missed %ld", i);
    paramset_set_requires_grad(&d.ps, 0);
    for (int i = 0; i < d.ps.n_params; i++)
        cr_assert(!d.ps.params[i]->requires_grad, "%s not frozen", d.ps.param_names[i]);
    paramset_free(&d.ps);
}

Test(layers, dcgan_shapes_and_batchnorm_modes) {
    Rng rng;
    rng_seed(&rng, 4);
    G g;
    g_build(&g, &rng);
    Tape tp;
    tape_init(&tp);
    Tensor *z = tape_tensor(&tp, 2, (int[]){3, 100}, 0);
    rng_fill_normal(&rng, z->data, (int)z->size, 0.0f, 1.0f);
    Tensor *img = dcgan_g_forward(&g.net, &tp, z, 1);
    cr_assert(img->ndim == 4 && img->shape[0] == 3 && img->shape[1] == 1 && img->shape[2] == 28 &&
              img->shape[3] == 28, "G output is not (3, 1, 28, 28)");
    float moved = g.net.bn1.running_mean->data[0] + g.net.bn1.running_var->data[0];
    cr_assert(moved != 1.0f, "training mode must update the running statistics");
    // Evaluation mode runs under no_grad and leaves the running statistics alone.
    float saved[128];
    memcpy(saved, g.net.bn1.running_mean->data, sizeof saved);
    int was = tape_set_no_grad(&tp, 1);
    Tensor *img_eval = dcgan_g_forward(&g.net, &tp, z, 0);
    tape_set_no_grad(&tp, was);
    check_close("running_mean after eval", g.net.bn1.running_mean->data, saved, 128, 0.0f, 0.0f);
    for (long i = 0; i < img_eval->size; i++)
        cr_assert(fabsf(img_eval->data[i]) <= 1.0f, "tanh output out of range at %ld", i);
    tape_free(&tp);
    paramset_free(&g.ps);
}
