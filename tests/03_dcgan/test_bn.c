// test_bn.c - exercises 3.7 and 3.8: batch norm in training mode against
// PyTorch's BatchNorm2d (a (4, 3, 3, 5) input) and BatchNorm1d (a (6, 5)
// input, like W1's first norm), finite differences and accumulation. The
// finite differences of 3.8 differentiate the library's forward pass, so a
// wrong 3.7 costs 3.7 only.
#include "bn_exercises.h"
#include "l03_test.h"
#include "kernels/norm.h"
#include "util/rng.h"

TestSuite(l03_batchnorm, .timeout = 20);

typedef struct {
    const char *name;   // "img" or "vec"
    int B, C, HW;
    long n;
} BnCase;

static const BnCase BN_CASES[] = {{"img", 4, 3, 15, 180}, {"vec", 6, 5, 1, 30}};

static const float *bn_get(const RefFile *ref, const BnCase *c, const char *what, long n) {
    char key[48];
    snprintf(key, sizeof key, "%s_%s", c->name, what);
    return ref_get(ref, key, n);
}

// ---------------------------------------------------------------- 3.7

Test(l03_batchnorm, forward_matches_pytorch) {
    RefFile *ref = ref_open("lesson03_bn.bin");
    for (int k = 0; k < 2; k++) {
        const BnCase *c = &BN_CASES[k];
        float *out = filled(c->n, 7.0f), *mean = filled(c->C, NAN), *rstd = filled(c->C, NAN);
        float *rm = copy_of(bn_get(ref, c, "running_mean0", c->C), c->C);
        float *rv = copy_of(bn_get(ref, c, "running_var0", c->C), c->C);
        l03_batchnorm_forward_train(out, mean, rstd, bn_get(ref, c, "inp", c->n),
                                    bn_get(ref, c, "gamma", c->C), bn_get(ref, c, "beta", c->C),
                                    rm, rv, 0.1f, 1e-5f, c->B, c->C, c->HW);
        char what[96];
        const struct { const char *name; const float *got; long n; } t[] = {
            {"out", out, c->n}, {"mean", mean, c->C}, {"rstd", rstd, c->C},
            {"running_mean", rm, c->C}, {"running_var", rv, c->C}};
        for (int i = 0; i < 5; i++) {
            snprintf(what, sizeof what, "%s input (%d, %d, HW %d): %s vs PyTorch", c->name,
                     c->B, c->C, c->HW, t[i].name);
            check_close(what, t[i].got, bn_get(ref, c, t[i].name, t[i].n), t[i].n, 1e-5f, 1e-4f);
        }
        free(out), free(mean), free(rstd), free(rm), free(rv);
    }
    ref_close(ref);
}

Test(l03_batchnorm, forward_without_affine_or_running_stats) {
    // gamma = beta = NULL means gamma 1, beta 0; NULL running stats are skipped.
    RefFile *ref = ref_open("lesson03_bn.bin");
    const BnCase *c = &BN_CASES[0];
    const float *x = bn_get(ref, c, "inp", c->n), *m = bn_get(ref, c, "mean", c->C);
    const float *r = bn_get(ref, c, "rstd", c->C);
    float *out = filled(c->n, 7.0f), *mean = filled(c->C, NAN), *rstd = filled(c->C, NAN);
    float *want = malloc(sizeof(float) * c->n);
    for (long i = 0; i < c->n; i++) {
        int ch = (int)(i / c->HW % c->C);
        want[i] = (x[i] - m[ch]) * r[ch];
    }
    l03_batchnorm_forward_train(out, mean, rstd, x, NULL, NULL, NULL, NULL, 0.1f, 1e-5f, c->B,
                                c->C, c->HW);
    check_close("batch norm with gamma = beta = NULL: (x - mean) * rstd", out, want, c->n, 1e-5f,
                1e-4f);
    free(out), free(mean), free(rstd), free(want);
    ref_close(ref);
}

// eps matters where a channel's variance is small next to it: there
// sqrt(var + eps) and sqrt(var) differ by a factor, and the eps the caller
// passes is the one to use. Against the library's batch norm (itself checked
// against PyTorch in tests/common).
Test(l03_batchnorm, forward_uses_eps_at_small_variance) {
    enum { B = 4, C = 3, HW = 6, N = B * C * HW };
    static const float spreads[] = {1e-3f, 2e-2f}, epses[] = {1e-5f, 1e-3f};
    Rng rng;
    rng_seed(&rng, 37);
    for (int k = 0; k < 2; k++) {
        float x[N], gamma[C], beta[C], out[N], mean[C], rstd[C], want[N], wmean[C], wrstd[C];
        rng_fill_normal(&rng, x, N, 0.5f, spreads[k]);
        rng_fill_normal(&rng, gamma, C, 1.0f, 0.1f);
        rng_fill_normal(&rng, beta, C, 0.0f, 0.1f);
        l03_batchnorm_forward_train(out, mean, rstd, x, gamma, beta, NULL, NULL, 0.1f, epses[k],
                                    B, C, HW);
        batchnorm_forward_train(want, wmean, wrstd, x, gamma, beta, NULL, NULL, 0.1f, epses[k], B,
                                C, HW);
        char what[128];
        snprintf(what, sizeof what, "a channel spread of %g with eps %g: rstd = 1/sqrt(var + eps)",
                 spreads[k], epses[k]);
        check_close(what, rstd, wrstd, C, 0.0f, 1e-3f);
        snprintf(what, sizeof what, "a channel spread of %g with eps %g: out", spreads[k],
                 epses[k]);
        check_close(what, out, want, N, 1e-4f, 1e-3f);
    }
}

// ---------------------------------------------------------------- 3.8

// Backward `times` times from PyTorch's mean and rstd into zeroed gradients.
static void bn_backward(const RefFile *ref, const BnCase *c, int times, float *dinp,
                        float *dgamma, float *dbeta) {
    for (int t = 0; t < times; t++)
        l03_batchnorm_backward(dinp, dgamma, dbeta, bn_get(ref, c, "dout", c->n),
                               bn_get(ref, c, "inp", c->n), bn_get(ref, c, "mean", c->C),
                               bn_get(ref, c, "rstd", c->C), bn_get(ref, c, "gamma", c->C),
                               c->B, c->C, c->HW);
}

static void check_bn_grads(const RefFile *ref, const BnCase *c, float s, const char *how,
                           const float *dinp, const float *dgamma, const float *dbeta) {
    const struct { const char *name; const float *got; long n; } t[] = {
        {"dinp", dinp, c->n}, {"dgamma", dgamma, c->C}, {"dbeta", dbeta, c->C}};
    for (int i = 0; i < 3; i++) {
        float *want = scaled(bn_get(ref, c, t[i].name, t[i].n), t[i].n, s);
        char what[128];
        snprintf(what, sizeof what, "%s input (%d, %d, HW %d): %s %s", c->name, c->B, c->C,
                 c->HW, t[i].name, how);
        check_close(what, t[i].got, want, t[i].n, 1e-4f, 1e-3f);
        free(want);
    }
}

Test(l03_batchnorm, backward_matches_pytorch) {
    RefFile *ref = ref_open("lesson03_bn.bin");
    for (int k = 0; k < 2; k++) {
        const BnCase *c = &BN_CASES[k];
        float *dinp = filled(c->n, 0.0f), *dgamma = filled(c->C, 0.0f), *dbeta = filled(c->C, 0.0f);
        bn_backward(ref, c, 1, dinp, dgamma, dbeta);
        check_bn_grads(ref, c, 1.0f, "vs PyTorch's autograd", dinp, dgamma, dbeta);
        free(dinp), free(dgamma), free(dbeta);
    }
    ref_close(ref);
}

Test(l03_batchnorm, backward_accumulates) {
    RefFile *ref = ref_open("lesson03_bn.bin");
    const BnCase *c = &BN_CASES[0];
    float *dinp = filled(c->n, 0.0f), *dgamma = filled(c->C, 0.0f), *dbeta = filled(c->C, 0.0f);
    bn_backward(ref, c, 2, dinp, dgamma, dbeta);
    check_bn_grads(ref, c, 2.0f, "after two calls (must accumulate: +=)", dinp, dgamma, dbeta);
    free(dinp), free(dgamma), free(dbeta);
    ref_close(ref);
}

// f = sum(bn(x) * probe) by the library's forward; the statistics are
// recomputed at every evaluation, so the finite differences see how mean and
// rstd move with x.
typedef struct {
    const BnCase *c;
    float *x, *gamma, *beta, *out, *mean, *rstd;
    const float *probe;
} BnFd;

static double bn_f(void *p) {
    BnFd *f = p;
    batchnorm_forward_train(f->out, f->mean, f->rstd, f->x, f->gamma, f->beta, NULL, NULL,
                                0.1f, 1e-5f, f->c->B, f->c->C, f->c->HW);
    return dot_probe(f->out, f->probe, f->c->n);
}

Test(l03_batchnorm, backward_finite_differences) {
    RefFile *ref = ref_open("lesson03_bn.bin");
    for (int k = 0; k < 2; k++) {
        const BnCase *c = &BN_CASES[k];
        BnFd f = {.c = c, .x = copy_of(bn_get(ref, c, "inp", c->n), c->n),
                  .gamma = copy_of(bn_get(ref, c, "gamma", c->C), c->C),
                  .beta = copy_of(bn_get(ref, c, "beta", c->C), c->C),
                  .out = filled(c->n, 0.0f), .mean = filled(c->C, 0.0f),
                  .rstd = filled(c->C, 0.0f), .probe = bn_get(ref, c, "dout", c->n)};
        float *dinp = filled(c->n, 0.0f), *dgamma = filled(c->C, 0.0f), *dbeta = filled(c->C, 0.0f);
        bn_f(&f);   // the library's mean and rstd for the backward pass
        l03_batchnorm_backward(dinp, dgamma, dbeta, f.probe, f.x, f.mean, f.rstd, f.gamma, c->B,
                               c->C, c->HW);
        char what[96];
        // x has a spread of 1.5, so h = 1e-2 moves the statistics only a
        // little; the second-order error stays well inside 1e-2.
        snprintf(what, sizeof what, "%s: dinp vs finite differences", c->name);
        check_grad_fd(what, f.x, dinp, c->n, bn_f, &f, 1e-2f, 1e-2f, 1e-2f, 60);
        snprintf(what, sizeof what, "%s: dgamma vs finite differences", c->name);
        check_grad_fd(what, f.gamma, dgamma, c->C, bn_f, &f, 1e-2f, 1e-2f, 1e-2f, 60);
        snprintf(what, sizeof what, "%s: dbeta vs finite differences", c->name);
        check_grad_fd(what, f.beta, dbeta, c->C, bn_f, &f, 1e-2f, 1e-2f, 1e-2f, 60);
        free(f.x), free(f.gamma), free(f.beta), free(f.out), free(f.mean), free(f.rstd);
        free(dinp), free(dgamma), free(dbeta);
    }
    ref_close(ref);
}
