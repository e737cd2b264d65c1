// test_mlp.c - exercises 2.1 and 2.2: the MLP's forward and backward passes
// against PyTorch (tests/ref/gen_lesson02.py) and against finite differences.
// 2.2's tests run the student's backward after the reference forward
// (mlp_ref.c), so a forward that saves the wrong things costs 2.1 only.
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "mlp.h"
#include "mlp_ref.h"
#include "ref.h"

// The two reference networks: G-like (LeakyReLU, tanh output) and D-like
// (ReLU, a logit output).
typedef struct {
    const char *file;
    int sizes[4], n_layers, B;
    L02MlpAct hidden, out;
} Case;

static const Case CASES[] = {
    {"lesson02_mlp_g.bin", {5, 7, 6, 3}, 3, 4, L02_ACT_LEAKY_RELU, L02_ACT_TANH},
    {"lesson02_mlp_d.bin", {6, 9, 1}, 2, 5, L02_ACT_RELU, L02_ACT_NONE},
};
#define N_CASES (int)(sizeof CASES / sizeof CASES[0])

TestSuite(l02_mlp, .timeout = 30);

// float32 forward against a float64 reference
#define ATOL 1e-5f
#define RTOL 1e-4f

Test(l02_mlp, forward_matches_pytorch) {
    for (int c = 0; c < N_CASES; c++) {
        const Case *k = &CASES[c];
        RefFile *ref = ref_open(k->file);
        L02Mlp m;
        mlp_build_from_ref(&m, ref, "", k->sizes, k->n_layers, k->hidden, k->out, k->B);
        int IN = k->sizes[0], OUT = k->sizes[k->n_layers];
        const float *x = ref_get(ref, "x", (long)k->B * IN);
        const float *y = l02_mlp_forward(&m, x, k->B);
        cr_assert(y != NULL, "%s: l02_mlp_forward returned NULL", k->file);
        check_close(k->file, y, ref_get(ref, "out", (long)k->B * OUT), (long)k->B * OUT, ATOL,
                    RTOL);
        // What the forward pass keeps for the backward pass (mlp.h).
        cr_assert(m.inp == x, "%s: l02_mlp_forward did not keep its input in m->inp (by pointer): "
                  "the backward pass needs the input of layer 0", k->file);
        L02Mlp r;
        mlp_build_from_ref(&r, ref, "", k->sizes, k->n_layers, k->hidden, k->out, k->B);
        mlp_ref_forward(&r, x, k->B);
        for (int l = 0; l < k->n_layers; l++) {
            char what[96];
            long n = (long)k->B * k->sizes[l + 1];
            snprintf(what, sizeof what, "%s: pre[%d] (kept for the backward pass)", k->file, l);
            check_close(what, m.pre[l], r.pre[l], n, ATOL, RTOL);
            snprintf(what, sizeof what, "%s: act[%d] (kept for the backward pass)", k->file, l);
            check_close(what, m.act[l], r.act[l], n, ATOL, RTOL);
        }
        l02_mlp_free(&r);
        l02_mlp_free(&m);
        ref_close(ref);
    }
}

// Runs forward and `times` backward passes of the reference dout, from zero
// gradients, and compares dinp and every parameter gradient with times * ref.
static void backward_case(const Case *k, int times) {
    RefFile *ref = ref_open(k->file);
    L02Mlp m;
    mlp_build_from_ref(&m, ref, "", k->sizes, k->n_layers, k->hidden, k->out, k->B);
    int IN = k->sizes[0], OUT = k->sizes[k->n_layers];
    long nx = (long)k->B * IN;
    const float *x = ref_get(ref, "x", nx);
    const float *dout = ref_get(ref, "dout", (long)k->B * OUT);
    float *dinp = calloc(nx, sizeof(float));
    float *want = malloc(sizeof(float) * m.ps.size);
    float *want_dx = malloc(sizeof(float) * nx);
    mlp_ref_block(want, ref, "d", &m);
    const float *dx = ref_get(ref, "dx", nx);
    for (long i = 0; i < m.ps.size; i++) want[i] *= times;
    for (long i = 0; i < nx; i++) want_dx[i] = times * dx[i];

    // leftovers of an earlier pass in the two scratch buffers (mlp.h)
    int widest = 0;
    for (int l = 0; l <= k->n_layers; l++) widest = k->sizes[l] > widest ? k->sizes[l] : widest;
    for (long i = 0; i < 2L * m.max_batch * widest; i++) m.dact[i] = 0.5f;
    l02_mlp_zero_grad(&m);
    mlp_ref_forward(&m, x, k->B);
    for (int t = 0; t < times; t++) l02_mlp_backward(&m, dinp, dout, k->B);

    char what[96];
    snprintf(what, sizeof what, "%s: dinp after %d backward pass(es)", k->file, times);
    check_close(what, dinp, want_dx, nx, ATOL, RTOL);
    for (int l = 0; l < m.n_layers; l++) {
        long nw = (long)k->sizes[l + 1] * k->sizes[l];
        snprintf(what, sizeof what, "%s: dW[%d] after %d backward pass(es)", k->file, l, times);
        check_close(what, m.dW[l], want + (m.W[l] - m.ps.data), nw, ATOL, RTOL);
        snprintf(what, sizeof what, "%s: db[%d] after %d backward pass(es)", k->file, l, times);
        check_close(what, m.db[l], want + (m.b[l] - m.ps.data), k->sizes[l + 1], ATOL, RTOL);
    }
    free(dinp); free(want); free(want_dx);
    l02_mlp_free(&m);
    ref_close(ref);
}

Test(l02_mlp, backward_matches_pytorch) {
    for (int c = 0; c < N_CASES; c++) backward_case(&CASES[c], 1);
}

// llm.c's convention: backward adds (+=) into the gradients it is given, so
// two passes give twice the gradient (the D step relies on it).
Test(l02_mlp, backward_accumulates) {
    for (int c = 0; c < N_CASES; c++) backward_case(&CASES[c], 2);
}

// ---------------------------------------------------------------- finite differences

typedef struct {
    L02Mlp *m;
    const float *x, *probe;
    int B;
} ProbeCtx;

// f = sum(output * probe), by the reference forward: its gradient is the
// backward pass of dout = probe
static double probe_loss(void *p) {
    ProbeCtx *c = p;
    const float *y = mlp_ref_forward(c->m, c->x, c->B);
    return dot_probe(y, c->probe, (long)c->B * c->m->sizes[c->m->n_layers]);
}

// The whole network at once: a wrong index anywhere in the chain rule shows.
Test(l02_mlp, backward_matches_finite_differences) {
    // LeakyReLU hidden, tanh out: the generator's shape, a smaller size
    const int sizes[] = {6, 10, 8, 4}, L = 3, B = 3;
    Rng rng;
    rng_seed(&rng, 7);
    L02Mlp m;
    Error err;
    cr_assert(l02_mlp_init(&m, "m", sizes, L, L02_ACT_LEAKY_RELU, L02_ACT_TANH, B, &rng, &err) == 0,
              "l02_mlp_init: %s", err.msg);
    long nx = (long)B * sizes[0], ny = (long)B * sizes[L];
    float *x = malloc(sizeof(float) * nx), *probe = malloc(sizeof(float) * ny);
    float *dinp = calloc(nx, sizeof(float));
    float *grads = malloc(sizeof(float) * m.ps.size);
    // inputs large enough for tanh to saturate: 1 - pre^2 and 1 - act^2 differ
    rng_fill_normal(&rng, x, nx, 0, 3);
    rng_fill_normal(&rng, probe, ny, 0, 1);

    l02_mlp_zero_grad(&m);
    mlp_ref_forward(&m, x, B);
    l02_mlp_backward(&m, dinp, probe, B);
    memcpy(grads, m.ps.grad, sizeof(float) * m.ps.size);

    // h small next to the pre-activations so few of them cross LeakyReLU's kink
    ProbeCtx ctx = {&m, x, probe, B};
    check_grad_fd("d(sum out*probe)/d params", m.ps.data, grads, m.ps.size, probe_loss, &ctx,
                  1e-3f, 5e-3f, 2e-2f, 200);
    check_grad_fd("d(sum out*probe)/d inp", x, dinp, nx, probe_loss, &ctx, 1e-3f, 5e-3f, 2e-2f,
                  200);
    free(x); free(probe); free(dinp); free(grads);
    l02_mlp_free(&m);
}

// Not graded (l02_mlp_init is given): the architectures of the lesson program,
// counted as CS231n does, so a changed layer size shows up here.
Test(l02_mlp, parameter_counts) {
    static const struct { int sizes[4]; long want; const char *what; } nets[] = {
        {{100, 256, 512, 784}, 559632, "Fashion-MNIST G"},
        {{784, 512, 256, 1}, 533505, "Fashion-MNIST D"},
        {{2, 128, 128, 2}, 17154, "ring G (z of 2)"},
        {{2, 128, 128, 1}, 17025, "ring D"},
    };
    for (int i = 0; i < 4; i++) {
        Rng rng;
        rng_seed(&rng, 1);
        L02Mlp m;
        Error err;
        cr_assert(l02_mlp_init(&m, "m", nets[i].sizes, 3, L02_ACT_RELU, L02_ACT_NONE, 1, &rng, &err)
                      == 0, "l02_mlp_init: %s", err.msg);
        cr_assert(m.ps.size == nets[i].want, "%s: %ld parameters, want %ld", nets[i].what,
                  m.ps.size, nets[i].want);
        l02_mlp_free(&m);
    }
}
