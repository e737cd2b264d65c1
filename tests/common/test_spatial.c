// test_spatial.c - padding (zero, reflect), nearest upsampling, max-pooling,
// channel concatenation, addition and AdaIN's mean/std against PyTorch
// (tests/ref/gen_kernels.py) on odd sizes with batch 2, plus finite
// differences, accumulation and NULL gradients.
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "check.h"
#include "kernels/gemm.h"
#include "ref.h"
#include "util/rng.h"
#include "kernels/spatial.h"

// B = batch, C = channels, H, W: the input of gen_kernels.py. PZ, PR = zero
// and reflection padding; CB = channels of concat's second input; CS, HE, WE =
// channels of the mean/std input and the even max-pool input size.
enum { B = 2, C = 2, H = 5, W = 7, HW = H * W, N = B * C * HW };
enum { PZ = 2, PR = 4, CB = 3, CS = 3, HE = 4, WE = 6 };
enum { NZ = B * C * (H + 2 * PZ) * (W + 2 * PZ), NR = B * C * (H + 2 * PR) * (W + 2 * PR) };
enum { NUP = 4 * N, NMAX = 1024 };

// Twice on a buffer pre-filled with 0.5, a backward must leave 0.5 + 2 * grad.
typedef void (*BwdFn)(float *dinp, const void *ctx);

static void check_accumulates(const char *what, BwdFn bwd, const void *ctx, const float *grad,
                              long n) {
    float *d = malloc(sizeof(float) * n), *want = malloc(sizeof(float) * n);
    for (long i = 0; i < n; i++) d[i] = 0.5f, want[i] = 0.5f + 2 * grad[i];
    bwd(d, ctx);
    bwd(d, ctx);
    check_close(what, d, want, n, 1e-6f, 1e-5f);
    free(d);
    free(want);
}

// f = sum(fwd(x) * probe) for finite differences; fwd writes nout floats.
typedef struct {
    void (*fwd)(float *out, const float *x);
    const float *x, *probe;
    long nout;
} FdCtx;

static double probe_fn(void *p) {
    FdCtx *c = p;
    float out[NMAX];
    c->fwd(out, c->x);
    return dot_probe(out, c->probe, c->nout);
}

// Runs bwd(probe) into zeros and compares with finite differences of fwd at x.
static void check_fd(const char *what, void (*fwd)(float *, const float *), BwdFn bwd,
                     float *x, long n, long nout, float h) {
    float probe[NMAX], dx[NMAX] = {0};
    Rng rng;
    rng_seed(&rng, 11);
    rng_fill_normal(&rng, probe, nout, 0.0f, 1.0f);
    bwd(dx, probe);
    FdCtx ctx = {fwd, x, probe, nout};
    check_grad_fd(what, x, dx, n, probe_fn, &ctx, h, 1e-3f, 1e-2f, (int)n);
}

static void copy(float *dst, const float *src, long n) {
    for (long i = 0; i < n; i++) dst[i] = src[i];
}

TestSuite(spatial, .timeout = 30);

// ---------------------------------------------------------------- padding

static void zpad_fwd(float *out, const float *x) { pad_zero_forward(out, x, B, C, H, W, PZ); }
static void zpad_bwd(float *dx, const void *dout) { pad_zero_backward(dx, dout, B, C, H, W, PZ); }
static void rpad_fwd(float *out, const float *x) { pad_reflect_forward(out, x, B, C, H, W, PR); }
static void rpad_bwd(float *dx, const void *dout) {
    pad_reflect_backward(dx, dout, B, C, H, W, PR);
}

Test(spatial, zero_padding_matches_pytorch) {
    RefFile *ref = ref_open("kernels_pad.bin");
    cr_assert_float_eq(ref_scalar(ref, "zero_P"), (float)PZ, 0, "reference made with another P");
    const float *x = ref_get(ref, "x", N), *dout = ref_get(ref, "zero_dout", NZ),
                *grad = ref_get(ref, "zero_dx", N);
    float out[NZ], dx[N] = {0}, xc[N];
    zpad_fwd(out, x);
    check_close("pad_zero out", out, ref_get(ref, "zero_out", NZ), NZ, 0.0f, 0.0f);
    zpad_bwd(dx, dout);
    check_close("pad_zero dinp", dx, grad, N, 1e-6f, 1e-6f);
    check_accumulates("pad_zero dinp called twice", zpad_bwd, dout, grad, N);
    copy(xc, x, N);
    check_fd("pad_zero dinp vs finite differences", zpad_fwd, zpad_bwd, xc, N, NZ, 1e-2f);
    ref_close(ref);
}

// P = 4 with H = 5: the widest reflection allowed, where the mirror reaches
// the far edge and an edge-near pixel appears up to four times.
Test(spatial, reflection_padding_matches_pytorch) {
    RefFile *ref = ref_open("kernels_pad.bin");
    cr_assert_float_eq(ref_scalar(ref, "reflect_P"), (float)PR, 0, "reference made with another P");
    const float *x = ref_get(ref, "x", N), *dout = ref_get(ref, "reflect_dout", NR),
                *grad = ref_get(ref, "reflect_dx", N);
    float out[NR], dx[N] = {0}, xc[N];
    rpad_fwd(out, x);
    check_close("pad_reflect out", out, ref_get(ref, "reflect_out", NR), NR, 0.0f, 0.0f);
    rpad_bwd(dx, dout);
    check_close("pad_reflect dinp", dx, grad, N, 1e-6f, 1e-5f);
    check_accumulates("pad_reflect dinp called twice", rpad_bwd, dout, grad, N);
    copy(xc, x, N);
    check_fd("pad_reflect dinp vs finite differences", rpad_fwd, rpad_bwd, xc, N, NR, 1e-2f);
    ref_close(ref);
}

// ---------------------------------------------------------------- upsampling

static void up_fwd(float *out, const float *x) { upsample_nearest2x_forward(out, x, B, C, H, W); }
static void up_bwd(float *dx, const void *dout) {
    upsample_nearest2x_backward(dx, dout, B, C, H, W);
}

Test(spatial, nearest_upsampling_matches_pytorch) {
    RefFile *ref = ref_open("kernels_upsample.bin");
    const float *x = ref_get(ref, "x", N), *dout = ref_get(ref, "dout", NUP),
                *grad = ref_get(ref, "dx", N);
    float out[NUP], dx[N] = {0}, xc[N];
    up_fwd(out, x);
    check_close("upsample out", out, ref_get(ref, "out", NUP), NUP, 0.0f, 0.0f);
    up_bwd(dx, dout);
    check_close("upsample dinp", dx, grad, N, 1e-6f, 1e-5f);
    check_accumulates("upsample dinp called twice", up_bwd, dout, grad, N);
    copy(xc, x, N);
    check_fd("upsample dinp vs finite differences", up_fwd, up_bwd, xc, N, NUP, 1e-2f);
    ref_close(ref);
}

// ---------------------------------------------------------------- max-pooling

// The size under test, and the argmax the last forward produced.
static int pool_h, pool_w;
static int pool_argmax[NMAX];

static void pool_fwd(float *out, const float *x) {
    maxpool2x2_forward(out, pool_argmax, x, B, C, pool_h, pool_w);
}
static void pool_bwd(float *dx, const void *dout) {
    maxpool2x2_backward(dx, pool_argmax, dout, B, C, pool_h, pool_w);
}

// The tensor "<tag>_<field>" of the max-pool reference file.
static const float *pool_ref(const RefFile *ref, const char *tag, const char *field, long size) {
    char name[48];
    snprintf(name, sizeof name, "%s_%s", tag, field);
    return ref_get(ref, name, size);
}

static void check_maxpool(const char *tag, int h, int w) {
    pool_h = h, pool_w = w;
    int n = B * C * h * w, nout = B * C * ((h + 1) / 2) * ((w + 1) / 2);
    char what[96];
    RefFile *ref = ref_open("kernels_maxpool.bin");
    const float *x = pool_ref(ref, tag, "x", n), *want = pool_ref(ref, tag, "out", nout),
                *want_idx = pool_ref(ref, tag, "argmax", nout),
                *dout = pool_ref(ref, tag, "dout", nout), *grad = pool_ref(ref, tag, "dx", n);
    float out[NMAX], dx[NMAX] = {0}, idx[NMAX];
    pool_fwd(out, x);
    snprintf(what, sizeof what, "maxpool %dx%d out", h, w);
    check_close(what, out, want, nout, 0.0f, 0.0f);
    for (int i = 0; i < nout; i++) idx[i] = (float)pool_argmax[i];
    snprintf(what, sizeof what, "maxpool %dx%d argmax (PyTorch's indices)", h, w);
    check_close(what, idx, want_idx, nout, 0.0f, 0.0f);
    pool_bwd(dx, dout);
    snprintf(what, sizeof what, "maxpool %dx%d dinp", h, w);
    check_close(what, dx, grad, n, 1e-6f, 1e-6f);
    snprintf(what, sizeof what, "maxpool %dx%d dinp called twice", h, w);
    check_accumulates(what, pool_bwd, dout, grad, n);
    ref_close(ref);

    // finite differences need no near-ties within h: distinct values 0.05 apart
    int perm[NMAX];
    float xs[NMAX];
    Rng rng;
    rng_seed(&rng, 12);
    for (int i = 0; i < n; i++) perm[i] = i;
    rng_shuffle(&rng, perm, n);
    for (int i = 0; i < n; i++) xs[i] = 0.05f * (perm[i] - n / 2);
    pool_fwd(out, xs);
    snprintf(what, sizeof what, "maxpool %dx%d dinp vs finite differences", h, w);
    check_fd(what, pool_fwd, pool_bwd, xs, n, nout, 1e-2f);
}

Test(spatial, maxpool_odd_size_matches_pytorch_ceil_mode) { check_maxpool("odd", H, W); }
Test(spatial, maxpool_even_size_matches_pytorch) { check_maxpool("even", HE, WE); }

// PyTorch's rule, by hand: the first maximum wins a tie, and a NaN wins over
// every number (a later NaN over an earlier one).
Test(spatial, maxpool_ties_take_the_first_and_nan_propagates) {
    const float x[16] = {1, 1, 5, 2,
                         1, 1, 2, 5,
                         0, NAN, -1, -2,
                         3, 0, -3, -1};
    float y[4];
    int idx[4];
    maxpool2x2_forward(y, idx, x, 1, 1, 4, 4);
    cr_expect_eq(idx[0], 0, "a window of equal values: the first (index 0), got %d", idx[0]);
    cr_expect_eq(idx[1], 2, "5 twice: the first (index 2), got %d", idx[1]);
    cr_expect(isnan(y[2]), "a NaN in the window: the output is NaN, got %g", y[2]);
    cr_expect_eq(idx[2], 9, "a NaN before a 3: the NaN's index 9, got %d", idx[2]);
    cr_expect_eq(idx[3], 10, "-1 twice: the first (index 10), got %d", idx[3]);
}

// ---------------------------------------------------------------- concatenation and addition

enum { NA = B * C * HW, NB = B * CB * HW, NCAT = NA + NB };

// Inputs of the two-input ops under finite differences; one of them moves.
static float cat_a[NA], cat_b[NB];

static void cat_fwd_a(float *out, const float *a) {
    concat_channels_forward(out, a, cat_b, B, C, CB, HW);
}
static void cat_fwd_b(float *out, const float *b) {
    concat_channels_forward(out, cat_a, b, B, C, CB, HW);
}
static void cat_bwd_a(float *da, const void *dout) {
    concat_channels_backward(da, NULL, dout, B, C, CB, HW);
}
static void cat_bwd_b(float *db, const void *dout) {
    concat_channels_backward(NULL, db, dout, B, C, CB, HW);
}

Test(spatial, concat_channels_matches_pytorch) {
    RefFile *ref = ref_open("kernels_concat_add.bin");
    const float *a = ref_get(ref, "a", NA), *b = ref_get(ref, "b", NB),
                *dout = ref_get(ref, "cat_dout", NCAT), *ga = ref_get(ref, "cat_da", NA),
                *gb = ref_get(ref, "cat_db", NB);
    float out[NCAT], da[NA] = {0}, db[NB] = {0};
    concat_channels_forward(out, a, b, B, C, CB, HW);
    check_close("concat out", out, ref_get(ref, "cat_out", NCAT), NCAT, 0.0f, 0.0f);
    concat_channels_backward(da, db, dout, B, C, CB, HW);
    check_close("concat da", da, ga, NA, 0.0f, 0.0f);
    check_close("concat db", db, gb, NB, 0.0f, 0.0f);
    // each NULL gradient is skipped without touching the other
    check_accumulates("concat da (db NULL) called twice", cat_bwd_a, dout, ga, NA);
    check_accumulates("concat db (da NULL) called twice", cat_bwd_b, dout, gb, NB);
    copy(cat_a, a, NA);
    copy(cat_b, b, NB);
    check_fd("concat da vs finite differences", cat_fwd_a, cat_bwd_a, cat_a, NA, NCAT, 1e-2f);
    check_fd("concat db vs finite differences", cat_fwd_b, cat_bwd_b, cat_b, NB, NCAT, 1e-2f);
    ref_close(ref);
}

static void add_fwd_a(float *out, const float *a) { add_forward(out, a, cat_b, NA); }
static void add_bwd_a(float *da, const void *dout) { add_backward(da, NULL, dout, NA); }
static void add_bwd_b(float *db, const void *dout) { add_backward(NULL, db, dout, NA); }

Test(spatial, add_matches_pytorch) {
    RefFile *ref = ref_open("kernels_concat_add.bin");
    const float *a = ref_get(ref, "a", NA), *c = ref_get(ref, "c", NA),
                *dout = ref_get(ref, "add_dout", NA), *ga = ref_get(ref, "add_da", NA),
                *gc = ref_get(ref, "add_dc", NA);
    float out[NA], da[NA] = {0}, dc[NA] = {0};
    add_forward(out, a, c, NA);
    check_close("add out", out, ref_get(ref, "add_out", NA), NA, 1e-6f, 1e-6f);
    add_backward(da, dc, dout, NA);
    check_close("add da", da, ga, NA, 0.0f, 0.0f);
    check_close("add db", dc, gc, NA, 0.0f, 0.0f);
    check_accumulates("add da (db NULL) called twice", add_bwd_a, dout, ga, NA);
    check_accumulates("add db (da NULL) called twice", add_bwd_b, dout, gc, NA);
    copy(cat_a, a, NA);
    copy(cat_b, c, NA);   // add's second input, held fixed
    check_fd("add da vs finite differences", add_fwd_a, add_bwd_a, cat_a, NA, NA, 1e-2f);
    ref_close(ref);
}

// ---------------------------------------------------------------- AdaIN statistics

enum { NS = B * CS * HW, NBC = B * CS };
static const float EPS = 1e-5f;

// For finite differences: out = [mean (B, CS) | std (B, CS)], and the saved
// statistics the backward needs.
static float ms_stats[2 * NBC];
static const float *ms_x;

static void ms_fwd(float *out, const float *x) {
    mean_std_hw_forward(out, out + NBC, x, EPS, B, CS, HW);
}
// dout = [dmean | dstd], like ms_fwd's output
static void ms_bwd(float *dx, const void *dout) {
    const float *d = dout;
    mean_std_hw_backward(dx, d, d + NBC, ms_x, ms_stats, ms_stats + NBC, B, CS, HW);
}

Test(spatial, mean_std_hw_matches_pytorch_adain_convention) {
    RefFile *ref = ref_open("kernels_meanstd.bin");
    cr_assert_float_eq(ref_scalar(ref, "eps"), EPS, 1e-12, "reference made with another eps");
    const float *x = ref_get(ref, "x", NS), *want_mean = ref_get(ref, "mean", NBC),
                *want_std = ref_get(ref, "std", NBC), *dmean = ref_get(ref, "dmean", NBC),
                *dstd = ref_get(ref, "dstd", NBC), *grad = ref_get(ref, "dx", NS);
    float mean[NBC], std[NBC], dx[NS] = {0}, dx_std[NS] = {0};
    mean_std_hw_forward(mean, std, x, EPS, B, CS, HW);
    check_close("mean over HW", mean, want_mean, NBC, 1e-6f, 1e-6f);
    check_close("sqrt(unbiased var + eps)", std, want_std, NBC, 1e-6f, 1e-6f);

    mean_std_hw_backward(dx, dmean, dstd, x, mean, std, B, CS, HW);
    check_close("mean_std dinp", dx, grad, NS, 1e-6f, 1e-5f);
    mean_std_hw_backward(dx_std, NULL, dstd, x, mean, std, B, CS, HW);
    check_close("mean_std dinp with dmean NULL", dx_std, ref_get(ref, "dx_std_only", NS), NS,
                1e-6f, 1e-5f);

    float dboth[2 * NBC], xc[NS];
    copy(dboth, dmean, NBC);
    copy(dboth + NBC, dstd, NBC);
    ms_x = x;
    copy(ms_stats, mean, NBC);
    copy(ms_stats + NBC, std, NBC);
    check_accumulates("mean_std dinp called twice", ms_bwd, dboth, grad, NS);
    copy(xc, x, NS);
    ms_x = xc;
    check_fd("mean_std dinp vs finite differences", ms_fwd, ms_bwd, xc, NS, 2 * NBC, 1e-2f);
    ref_close(ref);
}

// ---------------------------------------------------------------- threads

// Tensors above the kernels' threading threshold (2^15 floats) take the
// OpenMP path; planes are independent, so two threads must give exactly what
// one thread gives.
Test(spatial, threaded_path_agrees_with_one_thread) {
    enum { LB = 2, LC = 16, LH = 33, LW = 35, LN = LB * LC * LH * LW };
    enum { LNR = LB * LC * (LH + 2 * 3) * (LW + 2 * 3), LNUP = 4 * LN };
    enum { LNP = LB * LC * ((LH + 1) / 2) * ((LW + 1) / 2), LBC = LB * LC };
    float *x = malloc(sizeof(float) * LN), *big = malloc(sizeof(float) * LNUP);
    float *out[2], *dx[2], stats[2][2 * LBC];
    int *argmax = malloc(sizeof(int) * LNP);
    Rng rng;
    rng_seed(&rng, 13);
    rng_fill_normal(&rng, x, LN, 0.0f, 1.0f);
    rng_fill_normal(&rng, big, LNUP, 0.0f, 1.0f);
    for (int t = 0; t < 2; t++) {
        compute_set_threads(t == 0 ? 1 : 2);
        out[t] = calloc(LNR + LNUP + LNP, sizeof(float));
        dx[t] = calloc(LN, sizeof(float));
        float *o = out[t];
        pad_reflect_forward(o, x, LB, LC, LH, LW, 3);
        pad_reflect_backward(dx[t], big, LB, LC, LH, LW, 3);
        upsample_nearest2x_forward(o + LNR, x, LB, LC, LH, LW);
        upsample_nearest2x_backward(dx[t], big, LB, LC, LH, LW);
        maxpool2x2_forward(o + LNR + LNUP, argmax, x, LB, LC, LH, LW);
        maxpool2x2_backward(dx[t], argmax, big, LB, LC, LH, LW);
        mean_std_hw_forward(stats[t], stats[t] + LBC, x, 1e-5f, LB, LC, LH * LW);
        mean_std_hw_backward(dx[t], big, big + LBC, x, stats[t], stats[t] + LBC, LB, LC,
                             LH * LW);
    }
    check_close("outputs with 2 threads vs 1", out[1], out[0], LNR + LNUP + LNP, 0.0f, 0.0f);
    check_close("gradients with 2 threads vs 1", dx[1], dx[0], LN, 0.0f, 0.0f);
    check_close("mean/std with 2 threads vs 1", stats[1], stats[0], 2 * LBC, 0.0f, 0.0f);
    for (int t = 0; t < 2; t++) free(out[t]), free(dx[t]);
    free(x); free(big); free(argmax);
}
