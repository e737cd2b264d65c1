// test_norm.c - batch norm (training, evaluation, backward) and instance norm.
//
// Against PyTorch (tests/ref/gen_conv_norm.py, float64): nn.BatchNorm2d with
// and without affine, and with H = W = 1 (batch norm after a linear layer):
// out, the saved mean and rstd, running stats after one step (momentum 0.1,
// unbiased running variance), dinp, dgamma, dbeta, then evaluation mode on a
// fresh input with those running stats. nn.InstanceNorm2d(affine=True/False,
// track_running_stats=False): out, mean, rstd, dinp, dgamma, dbeta.
// Tolerance: atol 1e-5, rtol 1e-4 (float32 arithmetic, double sums).
// Also: finite differences of every backward, accumulation into pre-filled
// gradients, NULL gradients skipped.
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "kernels/gemm.h"
#include "kernels/norm.h"
#include "ref.h"
#include "util/rng.h"

TestSuite(norm_ref, .timeout = 30);
TestSuite(norm_grad, .timeout = 60);

#define ATOL 1e-5f
#define RTOL 1e-4f

static float *alloc_floats(long n) {
    float *p = calloc((size_t)(n > 0 ? n : 1), sizeof(float));
    cr_assert(p != NULL, "out of memory allocating %ld floats", n);
    return p;
}

static float *random_floats(Rng *rng, long n, float mean, float std) {
    float *p = alloc_floats(n);
    rng_fill_normal(rng, p, (int)n, mean, std);
    return p;
}

static float *copy_floats(const float *src, long n) {
    float *p = alloc_floats(n);
    memcpy(p, src, sizeof(float) * n);
    return p;
}

static void check_ref(const char *file, const char *name, const float *got, const RefFile *ref,
                      long n) {
    char what[96];
    snprintf(what, sizeof what, "%s: %s", file, name);
    check_close(what, got, ref_get(ref, name, n), n, ATOL, RTOL);
}

// ---------------------------------------------------------------- against PyTorch

static void check_batchnorm_ref(const char *file, int B, int C, int HW, int affine) {
    RefFile *ref = ref_open(file);
    long n = (long)B * C * HW;
    const float *inp = ref_get(ref, "inp", n), *dout = ref_get(ref, "dout", n);
    const float *gamma = affine ? ref_get(ref, "gamma", C) : NULL;
    const float *beta = affine ? ref_get(ref, "beta", C) : NULL;
    float momentum = ref_scalar(ref, "momentum"), eps = ref_scalar(ref, "eps");
    float *rm = copy_floats(ref_get(ref, "running_mean0", C), C);
    float *rv = copy_floats(ref_get(ref, "running_var0", C), C);
    float *out = alloc_floats(n), *mean = alloc_floats(C), *rstd = alloc_floats(C);
    float *dinp = alloc_floats(n), *dgamma = alloc_floats(C), *dbeta = alloc_floats(C);

    batchnorm_forward_train(out, mean, rstd, inp, gamma, beta, rm, rv, momentum, eps, B, C, HW);
    check_ref(file, "out", out, ref, n);
    check_ref(file, "mean", mean, ref, C);
    check_ref(file, "rstd", rstd, ref, C);
    check_ref(file, "running_mean", rm, ref, C);
    check_ref(file, "running_var", rv, ref, C);

    batchnorm_backward(dinp, affine ? dgamma : NULL, affine ? dbeta : NULL, dout, inp, mean, rstd,
                       gamma, B, C, HW);
    check_ref(file, "dinp", dinp, ref, n);
    if (affine) {
        check_ref(file, "dgamma", dgamma, ref, C);
        check_ref(file, "dbeta", dbeta, ref, C);
    }

    batchnorm_forward_eval(out, ref_get(ref, "eval_inp", n), gamma, beta, rm, rv, eps, B, C, HW);
    check_ref(file, "eval_out", out, ref, n);

    free(rm); free(rv); free(out); free(mean); free(rstd); free(dinp); free(dgamma); free(dbeta);
    ref_close(ref);
}

Test(norm_ref, batchnorm_affine) { check_batchnorm_ref("norm_bn_affine.bin", 3, 4, 15, 1); }
Test(norm_ref, batchnorm_no_affine) { check_batchnorm_ref("norm_bn_plain.bin", 2, 3, 12, 0); }
Test(norm_ref, batchnorm_after_linear) { check_batchnorm_ref("norm_bn_hw1.bin", 8, 5, 1, 1); }

static void check_instancenorm_ref(const char *file, int B, int C, int HW, int affine) {
    RefFile *ref = ref_open(file);
    long n = (long)B * C * HW;
    const float *inp = ref_get(ref, "inp", n), *dout = ref_get(ref, "dout", n);
    const float *gamma = affine ? ref_get(ref, "gamma", C) : NULL;
    const float *beta = affine ? ref_get(ref, "beta", C) : NULL;
    float eps = ref_scalar(ref, "eps");
    float *out = alloc_floats(n);
    float *mean = alloc_floats((long)B * C), *rstd = alloc_floats((long)B * C);  // (B, C)
    float *dinp = alloc_floats(n), *dgamma = alloc_floats(C), *dbeta = alloc_floats(C);

    instancenorm_forward(out, mean, rstd, inp, gamma, beta, eps, B, C, HW);
    check_ref(file, "out", out, ref, n);
    check_ref(file, "mean", mean, ref, (long)B * C);
    check_ref(file, "rstd", rstd, ref, (long)B * C);

    instancenorm_backward(dinp, affine ? dgamma : NULL, affine ? dbeta : NULL, dout, inp, mean,
                          rstd, gamma, B, C, HW);
    check_ref(file, "dinp", dinp, ref, n);
    if (affine) {
        check_ref(file, "dgamma", dgamma, ref, C);
        check_ref(file, "dbeta", dbeta, ref, C);
    }
    free(out); free(mean); free(rstd); free(dinp); free(dgamma); free(dbeta);
    ref_close(ref);
}

Test(norm_ref, instancenorm_affine) { check_instancenorm_ref("norm_in_affine.bin", 2, 3, 20, 1); }
Test(norm_ref, instancenorm_no_affine) { check_instancenorm_ref("norm_in_plain.bin", 3, 2, 21, 0); }

// ---------------------------------------------------------------- gradients

// One norm layer and what f needs to recompute sum(out * probe).
typedef struct {
    int instance, B, C, HW;
    float *inp, *gamma, *beta, *out, *mean, *rstd, *probe;
} NormFd;

static void norm_forward(NormFd *c) {
    if (c->instance)
        instancenorm_forward(c->out, c->mean, c->rstd, c->inp, c->gamma, c->beta, 1e-5f, c->B,
                             c->C, c->HW);
    else
        batchnorm_forward_train(c->out, c->mean, c->rstd, c->inp, c->gamma, c->beta, NULL, NULL,
                                0.1f, 1e-5f, c->B, c->C, c->HW);
}

static void norm_backward(NormFd *c, float *dinp, float *dgamma, float *dbeta) {
    if (c->instance)
        instancenorm_backward(dinp, dgamma, dbeta, c->probe, c->inp, c->mean, c->rstd, c->gamma,
                              c->B, c->C, c->HW);
    else
        batchnorm_backward(dinp, dgamma, dbeta, c->probe, c->inp, c->mean, c->rstd, c->gamma,
                           c->B, c->C, c->HW);
}

static double norm_loss(void *ctx) {
    NormFd *c = ctx;
    norm_forward(c);
    return dot_probe(c->out, c->probe, (long)c->B * c->C * c->HW);
}

static NormFd norm_setup(int instance, int affine, int B, int C, int HW, uint64_t seed) {
    Rng rng;
    rng_seed(&rng, seed);
    long n = (long)B * C * HW;
    NormFd c = {instance, B, C, HW, random_floats(&rng, n, 1.5f, 2.0f),
                affine ? random_floats(&rng, C, 1.0f, 0.3f) : NULL,
                affine ? random_floats(&rng, C, 0.0f, 0.3f) : NULL, alloc_floats(n),
                alloc_floats(instance ? (long)B * C : C), alloc_floats(instance ? (long)B * C : C),
                random_floats(&rng, n, 0.0f, 1.0f)};
    return c;
}

static void norm_free(NormFd *c) {
    free(c->inp); free(c->gamma); free(c->beta); free(c->out); free(c->mean); free(c->rstd);
    free(c->probe);
}

// Normalisation is smooth; h 1e-3 on inputs of std 2 keeps the truncation
// error well below atol 1e-2, rtol 1e-2, and float32 rounding of f (~1e-6) / 2h too.
static void check_fd(int instance, int affine, int B, int C, int HW, uint64_t seed) {
    NormFd c = norm_setup(instance, affine, B, C, HW, seed);
    long n = (long)B * C * HW;
    float *dinp = alloc_floats(n), *dgamma = alloc_floats(C), *dbeta = alloc_floats(C);
    norm_forward(&c);
    norm_backward(&c, dinp, affine ? dgamma : NULL, affine ? dbeta : NULL);
    const char *kind = instance ? "instancenorm" : "batchnorm";
    char what[96];
    snprintf(what, sizeof what, "%s (affine %d) dinp", kind, affine);
    check_grad_fd(what, c.inp, dinp, n, norm_loss, &c, 1e-3f, 1e-2f, 1e-2f, 200);
    if (affine) {
        snprintf(what, sizeof what, "%s dgamma", kind);
        check_grad_fd(what, c.gamma, dgamma, C, norm_loss, &c, 1e-3f, 1e-2f, 1e-2f, 200);
        snprintf(what, sizeof what, "%s dbeta", kind);
        check_grad_fd(what, c.beta, dbeta, C, norm_loss, &c, 1e-3f, 1e-2f, 1e-2f, 200);
    }
    free(dinp); free(dgamma); free(dbeta);
    norm_free(&c);
}

Test(norm_grad, batchnorm_finite_differences) {
    check_fd(0, 1, 3, 4, 15, 41);
    check_fd(0, 0, 2, 3, 10, 42);
    check_fd(0, 1, 6, 3, 1, 43);
}

Test(norm_grad, instancenorm_finite_differences) {
    check_fd(1, 1, 2, 3, 20, 44);
    check_fd(1, 0, 3, 2, 12, 45);
}

// Backward adds onto pre-filled gradients and skips the ones passed as NULL.
static void check_accumulates(int instance, uint64_t seed) {
    int B = 2, C = 3, HW = 10;
    long n = (long)B * C * HW;
    NormFd c = norm_setup(instance, 1, B, C, HW, seed);
    Rng rng;
    rng_seed(&rng, seed + 100);
    float *dinp = alloc_floats(n), *dgamma = alloc_floats(C), *dbeta = alloc_floats(C);
    norm_forward(&c);
    norm_backward(&c, dinp, dgamma, dbeta);
    float *pre_i = random_floats(&rng, n, 0.0f, 1.0f), *pre_g = random_floats(&rng, C, 0.0f, 1.0f);
    float *pre_b = random_floats(&rng, C, 0.0f, 1.0f);
    float *acc_i = copy_floats(pre_i, n), *acc_g = copy_floats(pre_g, C);
    float *acc_b = copy_floats(pre_b, C);
    norm_backward(&c, acc_i, acc_g, acc_b);
    for (long i = 0; i < n; i++) pre_i[i] += dinp[i];
    for (int i = 0; i < C; i++) pre_g[i] += dgamma[i], pre_b[i] += dbeta[i];
    const char *kind = instance ? "instancenorm" : "batchnorm";
    char what[96];
    snprintf(what, sizeof what, "%s: dinp accumulated", kind);
    check_close(what, acc_i, pre_i, n, 1e-6f, 1e-5f);
    snprintf(what, sizeof what, "%s: dgamma accumulated", kind);
    check_close(what, acc_g, pre_g, C, 1e-6f, 1e-5f);
    snprintf(what, sizeof what, "%s: dbeta accumulated", kind);
    check_close(what, acc_b, pre_b, C, 1e-6f, 1e-5f);

    float *one_i = alloc_floats(n), *one_g = alloc_floats(C), *one_b = alloc_floats(C);
    norm_backward(&c, one_i, NULL, NULL);
    norm_backward(&c, NULL, one_g, NULL);
    norm_backward(&c, NULL, NULL, one_b);
    snprintf(what, sizeof what, "%s: dinp alone", kind);
    check_close(what, one_i, dinp, n, 1e-6f, 1e-6f);
    snprintf(what, sizeof what, "%s: dgamma alone", kind);
    check_close(what, one_g, dgamma, C, 1e-6f, 1e-6f);
    snprintf(what, sizeof what, "%s: dbeta alone", kind);
    check_close(what, one_b, dbeta, C, 1e-6f, 1e-6f);

    free(dinp); free(dgamma); free(dbeta); free(pre_i); free(pre_g); free(pre_b);
    free(acc_i); free(acc_g); free(acc_b); free(one_i); free(one_g); free(one_b);
    norm_free(&c);
}

Test(norm_grad, batchnorm_backward_accumulates_and_skips_null) { check_accumulates(0, 51); }
Test(norm_grad, instancenorm_backward_accumulates_and_skips_null) { check_accumulates(1, 52); }

// ---------------------------------------------------------------- threads
// Above a size, both norms split their groups over threads; every group is
// still one thread's, summed in one order, so one thread and two give the same
// floats, bit for bit (atol 0, rtol 0). The shape is large enough to split.
TestSuite(norm_threads, .timeout = 60);

static void run_norm(int instance, int threads, float *out, float *dinp, float *dgamma,
                     float *dbeta, const float *inp, const float *gamma, const float *beta,
                     const float *dout, int B, int C, int HW) {
    compute_set_threads(threads);
    int groups = instance ? B * C : C;
    float *mean = alloc_floats(groups), *rstd = alloc_floats(groups);
    if (instance) {
        instancenorm_forward(out, mean, rstd, inp, gamma, beta, 1e-5f, B, C, HW);
        instancenorm_backward(dinp, dgamma, dbeta, dout, inp, mean, rstd, gamma, B, C, HW);
    } else {
        batchnorm_forward_train(out, mean, rstd, inp, gamma, beta, NULL, NULL, 0.1f, 1e-5f, B, C,
                                HW);
        batchnorm_backward(dinp, dgamma, dbeta, dout, inp, mean, rstd, gamma, B, C, HW);
    }
    free(mean); free(rstd);
}

static void check_threads_agree(int instance) {
    const int B = 3, C = 70, HW = 300;   // 63000 floats: above NORM_PARALLEL_MIN
    long n = (long)B * C * HW;
    Rng rng;
    rng_seed(&rng, 61 + instance);
    float *inp = random_floats(&rng, n, 0.5f, 2.0f), *dout = random_floats(&rng, n, 0.0f, 1.0f);
    float *gamma = random_floats(&rng, C, 1.0f, 0.1f), *beta = random_floats(&rng, C, 0.0f, 0.1f);
    float *out[2], *dinp[2], *dgamma[2], *dbeta[2];
    for (int t = 0; t < 2; t++) {
        out[t] = alloc_floats(n); dinp[t] = alloc_floats(n);
        dgamma[t] = alloc_floats(C); dbeta[t] = alloc_floats(C);
        run_norm(instance, t + 1, out[t], dinp[t], dgamma[t], dbeta[t], inp, gamma, beta, dout,
                 B, C, HW);
    }
    compute_set_threads(1);
    const char *kind = instance ? "instancenorm" : "batchnorm";
    char what[64];
    snprintf(what, sizeof what, "%s out, 2 threads vs 1", kind);
    check_close(what, out[1], out[0], n, 0.0f, 0.0f);
    snprintf(what, sizeof what, "%s dinp, 2 threads vs 1", kind);
    check_close(what, dinp[1], dinp[0], n, 0.0f, 0.0f);
    snprintf(what, sizeof what, "%s dgamma, 2 threads vs 1", kind);
    check_close(what, dgamma[1], dgamma[0], C, 0.0f, 0.0f);
    snprintf(what, sizeof what, "%s dbeta, 2 threads vs 1", kind);
    check_close(what, dbeta[1], dbeta[0], C, 0.0f, 0.0f);
    free(inp); free(dout); free(gamma); free(beta);
    for (int t = 0; t < 2; t++) { free(out[t]); free(dinp[t]); free(dgamma[t]); free(dbeta[t]); }
}

Test(norm_threads, batchnorm_same_on_one_and_two_threads) { check_threads_agree(0); }
Test(norm_threads, instancenorm_same_on_one_and_two_threads) { check_threads_agree(1); }
