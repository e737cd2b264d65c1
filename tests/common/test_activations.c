// test_activations.c - ReLU, LeakyReLU, tanh and sigmoid against PyTorch
// (tests/ref/gen_kernels.py; the inputs include 0, -0 and +-30, +-100),
// finite differences away from the kinks, and accumulation.
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "kernels/activations.h"
#include "check.h"
#include "kernels/gemm.h"
#include "ref.h"
#include "util/rng.h"

enum { N = 2 * 2 * 5 * 7 };   // the (B, C, H, W) tensor of gen_kernels.py, flat
static const float SLOPE = 0.2f;

// One signature for all four, so that every test runs over the table below.
// The backward gets both the input and the output and uses what its kernel takes.
typedef void (*FwdFn)(float *out, const float *inp, int n);
typedef void (*BwdFn)(float *dinp, const float *inp, const float *out, const float *dout, int n);

static void lrelu_fwd(float *out, const float *inp, int n) {
    leaky_relu_forward(out, inp, SLOPE, n);
}
static void relu_bwd(float *dinp, const float *inp, const float *out, const float *dout, int n) {
    (void)out;
    relu_backward(dinp, inp, dout, n);
}
static void lrelu_bwd(float *dinp, const float *inp, const float *out, const float *dout, int n) {
    (void)out;
    leaky_relu_backward(dinp, inp, dout, SLOPE, n);
}
static void tanh_bwd(float *dinp, const float *inp, const float *out, const float *dout, int n) {
    (void)inp;
    tanh_backward(dinp, out, dout, n);
}
static void sigmoid_bwd(float *dinp, const float *inp, const float *out, const float *dout, int n) {
    (void)inp;
    sigmoid_backward(dinp, out, dout, n);
}

static const struct {
    const char *name;   // prefix of the tensors in kernels_activations.bin
    FwdFn fwd;
    BwdFn bwd;
} ACTS[] = {
    {"relu", relu_forward, relu_bwd},
    {"lrelu", lrelu_fwd, lrelu_bwd},
    {"tanh", tanh_forward, tanh_bwd},
    {"sigmoid", sigmoid_forward, sigmoid_bwd},
};
enum { NACTS = sizeof ACTS / sizeof ACTS[0] };

static const float *get(RefFile *ref, const char *act, const char *what) {
    char name[48];
    snprintf(name, sizeof name, "%s_%s", act, what);
    return ref_get(ref, name, N);
}

TestSuite(activations, .timeout = 30);

Test(activations, forward_matches_pytorch) {
    RefFile *ref = ref_open("kernels_activations.bin");
    cr_assert_float_eq(ref_scalar(ref, "slope"), SLOPE, 1e-7, "the reference used another slope");
    const float *x = ref_get(ref, "x", N);
    for (int a = 0; a < NACTS; a++) {
        float out[N];
        ACTS[a].fwd(out, x, N);
        check_close(ACTS[a].name, out, get(ref, ACTS[a].name, "out"), N, 1e-6f, 1e-6f);
    }
    ref_close(ref);
}

// The backward is fed PyTorch's output, so it is tested on its own.
Test(activations, backward_matches_pytorch) {
    RefFile *ref = ref_open("kernels_activations.bin");
    const float *x = ref_get(ref, "x", N);
    for (int a = 0; a < NACTS; a++) {
        float dx[N] = {0};
        ACTS[a].bwd(dx, x, get(ref, ACTS[a].name, "out"), get(ref, ACTS[a].name, "dout"), N);
        char what[64];
        snprintf(what, sizeof what, "%s backward", ACTS[a].name);
        check_close(what, dx, get(ref, ACTS[a].name, "dx"), N, 1e-6f, 1e-5f);
    }
    ref_close(ref);
}

Test(activations, sigmoid_is_exact_and_finite_far_out) {
    const float x[] = {-1000.0f, -100.0f, -30.0f, 30.0f, 100.0f, 1000.0f, INFINITY, -INFINITY};
    const int n = sizeof x / sizeof x[0];
    float y[sizeof x / sizeof x[0]];
    sigmoid_forward(y, x, n);
    for (int i = 0; i < n; i++) {
        double want = x[i] >= 0 ? 1.0 / (1.0 + exp(-(double)x[i])) : exp(x[i]) / (1.0 + exp(x[i]));
        cr_assert(isfinite(y[i]) && fabs(y[i] - want) <= 1e-7 * want + 1e-45,
                  "sigmoid(%g) = %g, want %g", x[i], y[i], want);
    }
}

// As in PyTorch, a NaN comes out as NaN, so that divergence is noticed.
Test(activations, nan_propagates) {
    float x = NAN;
    for (int a = 0; a < NACTS; a++) {
        float y = 0.0f;
        ACTS[a].fwd(&y, &x, 1);
        cr_assert(isnan(y), "%s(NaN) = %g, want NaN", ACTS[a].name, y);
    }
}

// Called twice on a buffer pre-filled with 0.5: dinp must be 0.5 + 2 * grad.
Test(activations, backward_accumulates) {
    RefFile *ref = ref_open("kernels_activations.bin");
    const float *x = ref_get(ref, "x", N);
    for (int a = 0; a < NACTS; a++) {
        const float *out = get(ref, ACTS[a].name, "out"), *dout = get(ref, ACTS[a].name, "dout"),
                    *grad = get(ref, ACTS[a].name, "dx");
        float dx[N], want[N];
        for (int i = 0; i < N; i++) dx[i] = 0.5f, want[i] = 0.5f + 2 * grad[i];
        ACTS[a].bwd(dx, x, out, dout, N);
        ACTS[a].bwd(dx, x, out, dout, N);
        char what[64];
        snprintf(what, sizeof what, "%s backward called twice", ACTS[a].name);
        check_close(what, dx, want, N, 1e-6f, 1e-5f);
    }
    ref_close(ref);
}

// f = sum(act(x) * probe).
typedef struct {
    FwdFn fwd;
    const float *x, *probe;
} FdCtx;

static double act_probe(void *p) {
    FdCtx *c = p;
    float out[N];
    c->fwd(out, c->x, N);
    return dot_probe(out, c->probe, N);
}

Test(activations, backward_matches_finite_differences) {
    Rng rng;
    rng_seed(&rng, 7);
    float x[N], probe[N];
    rng_fill_normal(&rng, x, N, 0.0f, 1.5f);
    rng_fill_normal(&rng, probe, N, 0.0f, 1.0f);
    // keep every input at least 0.05 from the kink at 0, well beyond h = 1e-2
    for (int i = 0; i < N; i++)
        if (fabsf(x[i]) < 0.05f) x[i] = x[i] < 0 ? -0.05f : 0.05f;
    for (int a = 0; a < NACTS; a++) {
        float out[N], dx[N] = {0};
        ACTS[a].fwd(out, x, N);
        ACTS[a].bwd(dx, x, out, probe, N);
        FdCtx ctx = {ACTS[a].fwd, x, probe};
        check_grad_fd(ACTS[a].name, x, dx, N, act_probe, &ctx, 1e-2f, 1e-3f, 1e-2f, N);
    }
}

// Above the threading threshold (2^15 floats) tanh and sigmoid run on OpenMP
// threads; element-wise work must come out exactly as with one thread.
Test(activations, threaded_path_agrees_with_one_thread) {
    enum { LN = 100000 };
    float *x = malloc(sizeof(float) * LN), *out[2][2];
    Rng rng;
    rng_seed(&rng, 8);
    rng_fill_normal(&rng, x, LN, 0.0f, 3.0f);
    for (int t = 0; t < 2; t++) {
        compute_set_threads(t + 1);
        out[t][0] = malloc(sizeof(float) * LN);
        out[t][1] = malloc(sizeof(float) * LN);
        tanh_forward(out[t][0], x, LN);
        sigmoid_forward(out[t][1], x, LN);
    }
    check_close("tanh with 2 threads vs 1", out[1][0], out[0][0], LN, 0.0f, 0.0f);
    check_close("sigmoid with 2 threads vs 1", out[1][1], out[0][1], LN, 0.0f, 0.0f);
    for (int t = 0; t < 2; t++) free(out[t][0]), free(out[t][1]);
    free(x);
}
