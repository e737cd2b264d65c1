// test_conv.c - im2col/col2im, convolution and transposed convolution.
//
// Against PyTorch (tests/ref/gen_conv_norm.py, computed in float64): the
// forward output and dinp, dweight, dbias of loss = sum(out * dout), on odd
// sizes, stride 1 and 2, padding 0 and 1, K = 1, 3, 4, output padding 1,
// batch > 1, C != OC, with and without bias, DCGAN's k4 s2 p1.
// Tolerance for those: atol 1e-5, rtol 1e-4 (float32 sums of <= 200 terms).
// Also: finite differences of every backward, accumulation into pre-filled
// gradients, NULL gradients skipped, im2col against its definition with
// col2im as its adjoint, and every fast path (conv_*.c) against conv.c's
// reference on the shapes that choose it (conv_vs_reference).
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "kernels/conv.h"
#include "kernels/conv_paths.h"
#include "kernels/gemm.h"
#include "ref.h"
#include "util/rng.h"

TestSuite(conv_geom, .timeout = 10);
TestSuite(im2col, .timeout = 30);
TestSuite(conv_ref, .timeout = 30);
TestSuite(conv_grad, .timeout = 60);

static float *alloc_floats(long n) {
    float *p = calloc((size_t)(n > 0 ? n : 1), sizeof(float));
    cr_assert(p != NULL, "out of memory allocating %ld floats", n);
    return p;
}

static float *random_floats(Rng *rng, long n, float std) {
    float *p = alloc_floats(n);
    rng_fill_normal(rng, p, (int)n, 0.0f, std);
    return p;
}

static ConvGeom make_geom(int transposed, int B, int C, int H, int W, int OC, int K, int S, int P,
                          int OP) {
    return transposed ? conv_transpose2d_geom(B, C, H, W, OC, K, S, P, OP)
                      : conv2d_geom(B, C, H, W, OC, K, S, P);
}

static long inp_size(const ConvGeom *g) { return (long)g->B * g->C * g->H * g->W; }
static long out_size(const ConvGeom *g) { return (long)g->B * g->OC * g->OH * g->OW; }
static long weight_size(const ConvGeom *g) { return (long)g->OC * g->C * g->K * g->K; }

static void forward(const ConvGeom *g, float *out, float *col, const float *inp, const float *w,
                    const float *bias) {
    if (g->transposed) conv_transpose2d_forward(out, col, inp, w, bias, g);
    else conv2d_forward(out, col, inp, w, bias, g);
}

static void backward(const ConvGeom *g, float *dinp, float *dw, float *db, float *col,
                     const float *dout, const float *inp, const float *w) {
    if (g->transposed) conv_transpose2d_backward(dinp, dw, db, col, dout, inp, w, g);
    else conv2d_backward(dinp, dw, db, col, dout, inp, w, g);
}

// ---------------------------------------------------------------- geometry

Test(conv_geom, output_sizes_and_col_sizes) {
    ConvGeom g = conv2d_geom(2, 3, 7, 9, 4, 3, 2, 1);
    cr_assert(g.OH == 4 && g.OW == 5, "conv 7x9 k3 s2 p1: got %dx%d, want 4x5", g.OH, g.OW);
    // The scratch may hold several images' columns at once (and a weight copy);
    // callers rely only on it holding at least one image's.
    cr_assert(conv_col_size(&g) >= 3L * 9 * 4 * 5, "conv col size: got %ld, want >= %ld",
              conv_col_size(&g), 3L * 9 * 4 * 5);
    ConvGeom t = conv_transpose2d_geom(2, 5, 4, 4, 3, 4, 2, 1, 0);
    cr_assert(t.OH == 8 && t.OW == 8, "transposed 4x4 k4 s2 p1: got %dx%d, want 8x8", t.OH, t.OW);
    cr_assert(conv_col_size(&t) >= 3L * 16 * 4 * 4, "transposed col size: got %ld, want >= %ld",
              conv_col_size(&t), 3L * 16 * 4 * 4);
    ConvGeom o = conv_transpose2d_geom(1, 3, 3, 5, 4, 3, 2, 1, 1);
    cr_assert(o.OH == 6 && o.OW == 10, "transposed 3x5 k3 s2 p1 op1: got %dx%d, want 6x10",
              o.OH, o.OW);
}

// ---------------------------------------------------------------- im2col / col2im

// The definition, one element at a time with a bounds test: only this test uses it.
static void im2col_naive(float *col, const float *img, int C, int H, int W, int K, int S, int P,
                         int OH, int OW) {
    for (int c = 0; c < C; c++)
        for (int ki = 0; ki < K; ki++)
            for (int kj = 0; kj < K; kj++)
                for (int oh = 0; oh < OH; oh++)
                    for (int ow = 0; ow < OW; ow++) {
                        int ih = oh * S - P + ki, iw = ow * S - P + kj;
                        int inside = ih >= 0 && ih < H && iw >= 0 && iw < W;
                        col[(((long)(c * K + ki) * K + kj) * OH + oh) * OW + ow] =
                            inside ? img[((long)c * H + ih) * W + iw] : 0.0f;
                    }
}

// C, H, W, K, S, P: including padding wider than the kernel reach (K1 P1, all-zero
// border columns), stride that skips trailing pixels, and a patch larger than a side.
static const int IM2COL_CASES[][6] = {
    {3, 7, 9, 3, 1, 1}, {2, 7, 9, 3, 2, 0}, {2, 7, 9, 4, 2, 1}, {1, 5, 6, 1, 1, 1},
    {2, 4, 4, 4, 2, 1}, {1, 3, 8, 5, 1, 2}, {2, 9, 7, 3, 3, 2}, {1, 6, 5, 2, 2, 0},
    // k4 s2 p1 on even sizes (the fast planes take conv_k4s2p1.c's phases
    // there): 2x2 -> 1x1 (U-Net's innermost layer), 2x6 -> 1x3 and 6x4 -> 3x2
    {2, 2, 2, 4, 2, 1}, {1, 2, 6, 4, 2, 1}, {2, 6, 4, 4, 2, 1},
};

Test(im2col, matches_the_definition) {
    Rng rng;
    rng_seed(&rng, 11);
    for (size_t n = 0; n < sizeof IM2COL_CASES / sizeof IM2COL_CASES[0]; n++) {
        const int *p = IM2COL_CASES[n];
        int C = p[0], H = p[1], W = p[2], K = p[3], S = p[4], P = p[5];
        int OH = (H + 2 * P - K) / S + 1, OW = (W + 2 * P - K) / S + 1;
        long ncol = (long)C * K * K * OH * OW;
        float *img = random_floats(&rng, (long)C * H * W, 1.0f);
        float *col = random_floats(&rng, ncol, 1.0f);  // garbage im2col must overwrite
        float *want = alloc_floats(ncol);
        im2col(col, img, C, H, W, K, S, P, OH, OW);
        im2col_naive(want, img, C, H, W, K, S, P, OH, OW);
        char what[96];
        snprintf(what, sizeof what, "im2col C%d %dx%d K%d S%d P%d", C, H, W, K, S, P);
        check_close(what, col, want, ncol, 0.0f, 0.0f);
        free(img); free(col); free(want);
    }
}

// <im2col(x), y> = <x, col2im(y)> for random x, y: col2im is im2col's adjoint,
// which is what makes both backward passes (and the transposed forward) right.
Test(im2col, col2im_is_the_adjoint) {
    Rng rng;
    rng_seed(&rng, 12);
    for (size_t n = 0; n < sizeof IM2COL_CASES / sizeof IM2COL_CASES[0]; n++) {
        const int *p = IM2COL_CASES[n];
        int C = p[0], H = p[1], W = p[2], K = p[3], S = p[4], P = p[5];
        int OH = (H + 2 * P - K) / S + 1, OW = (W + 2 * P - K) / S + 1;
        long nimg = (long)C * H * W, ncol = (long)C * K * K * OH * OW;
        float *x = random_floats(&rng, nimg, 1.0f), *y = random_floats(&rng, ncol, 1.0f);
        float *col = alloc_floats(ncol), *img = alloc_floats(nimg);
        im2col(col, x, C, H, W, K, S, P, OH, OW);
        col2im(img, y, C, H, W, K, S, P, OH, OW);
        double lhs = dot_probe(col, y, ncol), rhs = dot_probe(x, img, nimg);
        cr_assert(fabs(lhs - rhs) <= 1e-4 * (1.0 + fabs(lhs)),
                  "C%d %dx%d K%d S%d P%d: <im2col(x), y> = %.9g but <x, col2im(y)> = %.9g",
                  C, H, W, K, S, P, lhs, rhs);
        free(x); free(y); free(col); free(img);
    }
}

Test(im2col, col2im_accumulates) {
    Rng rng;
    rng_seed(&rng, 13);
    int C = 2, H = 7, W = 9, K = 3, S = 2, P = 1, OH = 4, OW = 5;
    long nimg = (long)C * H * W, ncol = (long)C * K * K * OH * OW;
    float *y = random_floats(&rng, ncol, 1.0f), *pre = random_floats(&rng, nimg, 1.0f);
    float *fresh = alloc_floats(nimg), *acc = alloc_floats(nimg);
    memcpy(acc, pre, sizeof(float) * nimg);
    col2im(fresh, y, C, H, W, K, S, P, OH, OW);
    col2im(acc, y, C, H, W, K, S, P, OH, OW);
    for (long i = 0; i < nimg; i++) fresh[i] += pre[i];
    check_close("col2im onto a pre-filled image", acc, fresh, nimg, 1e-6f, 1e-6f);
    free(y); free(pre); free(fresh); free(acc);
}

// ---------------------------------------------------------------- against PyTorch

typedef struct {
    const char *file;
    int transposed, B, C, H, W, OC, K, S, P, OP, bias;
} ConvCase;

static void check_against_ref(const ConvCase *cs) {
    RefFile *ref = ref_open(cs->file);
    const int want_geom[11] = {cs->B, cs->C, cs->H, cs->W, cs->OC, cs->K, cs->S, cs->P, cs->OP,
                               cs->bias, cs->transposed};
    const float *geom = ref_get(ref, "geom", 11);
    for (int i = 0; i < 11; i++)
        cr_assert(geom[i] == (float)want_geom[i],
                  "%s: geometry entry %d is %g in the file, %d in the test; regenerate with "
                  "make refdata", cs->file, i, geom[i], want_geom[i]);
    ConvGeom g = make_geom(cs->transposed, cs->B, cs->C, cs->H, cs->W, cs->OC, cs->K, cs->S,
                           cs->P, cs->OP);
    long ni = inp_size(&g), no = out_size(&g), nw = weight_size(&g);
    const float *inp = ref_get(ref, "inp", ni), *w = ref_get(ref, "weight", nw);
    const float *bias = cs->bias ? ref_get(ref, "bias", g.OC) : NULL;
    const float *dout = ref_get(ref, "dout", no);
    float *out = alloc_floats(no), *col = alloc_floats(conv_col_size(&g));
    float *dinp = alloc_floats(ni), *dw = alloc_floats(nw), *db = alloc_floats(g.OC);
    char what[96];

    forward(&g, out, col, inp, w, bias);
    snprintf(what, sizeof what, "%s: out", cs->file);
    check_close(what, out, ref_get(ref, "out", no), no, 1e-5f, 1e-4f);

    backward(&g, dinp, dw, cs->bias ? db : NULL, col, dout, inp, w);
    snprintf(what, sizeof what, "%s: dinp", cs->file);
    check_close(what, dinp, ref_get(ref, "dinp", ni), ni, 1e-5f, 1e-4f);
    snprintf(what, sizeof what, "%s: dweight", cs->file);
    check_close(what, dw, ref_get(ref, "dweight", nw), nw, 1e-5f, 1e-4f);
    if (cs->bias) {
        snprintf(what, sizeof what, "%s: dbias", cs->file);
        check_close(what, db, ref_get(ref, "dbias", g.OC), g.OC, 1e-5f, 1e-4f);
    }
    free(out); free(col); free(dinp); free(dw); free(db);
    ref_close(ref);
}

#define CONV_REF_TEST(name, ...)                                       \
    Test(conv_ref, name) {                                             \
        ConvCase cs = {__VA_ARGS__};                                   \
        check_against_ref(&cs);                                        \
    }

//             test name          file                          T  B  C  H  W  OC K  S  P  OP bias
CONV_REF_TEST(k3s1p1_odd,         "conv_k3s1p1_odd.bin",        0, 2, 3, 7, 9, 4, 3, 1, 1, 0, 1)
CONV_REF_TEST(k3s2p0_nobias,      "conv_k3s2p0_nobias.bin",     0, 2, 2, 7, 9, 3, 3, 2, 0, 0, 0)
CONV_REF_TEST(k3s2p1_odd,         "conv_k3s2p1_odd.bin",        0, 3, 2, 7, 9, 3, 3, 2, 1, 0, 1)
CONV_REF_TEST(k1s1p0,             "conv_k1s1p0.bin",            0, 3, 4, 5, 6, 2, 1, 1, 0, 0, 1)
CONV_REF_TEST(k4s2p1_dcgan,       "conv_k4s2p1_dcgan.bin",      0, 2, 3, 8, 8, 5, 4, 2, 1, 0, 1)
CONV_REF_TEST(k4s2p1_odd,         "conv_k4s2p1_odd.bin",        0, 2, 2, 7, 9, 3, 4, 2, 1, 0, 0)
CONV_REF_TEST(t_k4s2p1_dcgan,     "conv_t_k4s2p1_dcgan.bin",    1, 2, 5, 4, 4, 3, 4, 2, 1, 0, 1)
CONV_REF_TEST(t_k3s2p1_op1,       "conv_t_k3s2p1_op1.bin",      1, 2, 3, 3, 5, 4, 3, 2, 1, 1, 1)
CONV_REF_TEST(t_k3s1p0_nobias,    "conv_t_k3s1p0_nobias.bin",   1, 2, 2, 4, 3, 3, 3, 1, 0, 0, 0)
CONV_REF_TEST(t_k3s2p0_odd,       "conv_t_k3s2p0_odd.bin",      1, 3, 2, 3, 4, 2, 3, 2, 0, 0, 1)
CONV_REF_TEST(t_k1s1p0,           "conv_t_k1s1p0.bin",          1, 2, 4, 5, 6, 2, 1, 1, 0, 0, 0)
CONV_REF_TEST(t_k4s2p1_op1,       "conv_t_k4s2p1_op1.bin",      1, 2, 2, 3, 3, 3, 4, 2, 1, 1, 1)

// ---------------------------------------------------------------- gradients

// Everything f needs to recompute sum(out * probe) after a perturbation.
typedef struct {
    ConvGeom g;
    float *inp, *w, *bias, *out, *col, *probe;
} ConvFd;

static double conv_loss(void *ctx) {
    ConvFd *c = ctx;
    forward(&c->g, c->out, c->col, c->inp, c->w, c->bias);
    return dot_probe(c->out, c->probe, out_size(&c->g));
}

// The convolution is linear in each argument, so central differences are exact
// up to float32 rounding of f (~1e-5 here, / 2h): atol 5e-3, rtol 1e-2, h 1e-2.
static void check_fd(ConvGeom g, uint64_t seed) {
    Rng rng;
    rng_seed(&rng, seed);
    long ni = inp_size(&g), no = out_size(&g), nw = weight_size(&g);
    ConvFd c = {g, random_floats(&rng, ni, 1.0f), random_floats(&rng, nw, 0.5f),
                random_floats(&rng, g.OC, 1.0f), alloc_floats(no),
                alloc_floats(conv_col_size(&g)), random_floats(&rng, no, 1.0f)};
    float *dinp = alloc_floats(ni), *dw = alloc_floats(nw), *db = alloc_floats(g.OC);
    backward(&g, dinp, dw, db, c.col, c.probe, c.inp, c.w);
    char what[96];
    const char *kind = g.transposed ? "conv_transpose2d" : "conv2d";
    snprintf(what, sizeof what, "%s K%d S%d P%d OP%d dinp", kind, g.K, g.S, g.P, g.OP);
    check_grad_fd(what, c.inp, dinp, ni, conv_loss, &c, 1e-2f, 5e-3f, 1e-2f, 200);
    snprintf(what, sizeof what, "%s K%d S%d P%d OP%d dweight", kind, g.K, g.S, g.P, g.OP);
    check_grad_fd(what, c.w, dw, nw, conv_loss, &c, 1e-2f, 5e-3f, 1e-2f, 200);
    snprintf(what, sizeof what, "%s K%d S%d P%d OP%d dbias", kind, g.K, g.S, g.P, g.OP);
    check_grad_fd(what, c.bias, db, g.OC, conv_loss, &c, 1e-2f, 5e-3f, 1e-2f, 200);
    free(c.inp); free(c.w); free(c.bias); free(c.out); free(c.col); free(c.probe);
    free(dinp); free(dw); free(db);
}

Test(conv_grad, conv2d_finite_differences) {
    check_fd(conv2d_geom(2, 3, 7, 9, 4, 3, 2, 1), 21);
    check_fd(conv2d_geom(2, 2, 8, 8, 3, 4, 2, 1), 22);
    check_fd(conv2d_geom(1, 3, 5, 6, 2, 1, 1, 0), 23);
}

Test(conv_grad, conv_transpose2d_finite_differences) {
    check_fd(conv_transpose2d_geom(2, 3, 3, 5, 4, 3, 2, 1, 1), 24);
    check_fd(conv_transpose2d_geom(2, 4, 4, 4, 2, 4, 2, 1, 0), 25);
    check_fd(conv_transpose2d_geom(1, 2, 4, 3, 3, 3, 1, 0, 0), 26);
}

// Backward adds onto pre-filled gradients (a layer used twice in one step),
// and skips the ones passed as NULL.
static void check_accumulates(ConvGeom g, uint64_t seed) {
    Rng rng;
    rng_seed(&rng, seed);
    long ni = inp_size(&g), no = out_size(&g), nw = weight_size(&g);
    float *inp = random_floats(&rng, ni, 1.0f), *w = random_floats(&rng, nw, 0.5f);
    float *dout = random_floats(&rng, no, 1.0f), *col = alloc_floats(conv_col_size(&g));
    float *dinp = alloc_floats(ni), *dw = alloc_floats(nw), *db = alloc_floats(g.OC);
    backward(&g, dinp, dw, db, col, dout, inp, w);
    // want = fresh gradient + what was already there
    float *pre_i = random_floats(&rng, ni, 1.0f), *pre_w = random_floats(&rng, nw, 1.0f);
    float *pre_b = random_floats(&rng, g.OC, 1.0f);
    float *acc_i = alloc_floats(ni), *acc_w = alloc_floats(nw), *acc_b = alloc_floats(g.OC);
    memcpy(acc_i, pre_i, sizeof(float) * ni);
    memcpy(acc_w, pre_w, sizeof(float) * nw);
    memcpy(acc_b, pre_b, sizeof(float) * g.OC);
    backward(&g, acc_i, acc_w, acc_b, col, dout, inp, w);
    for (long i = 0; i < ni; i++) pre_i[i] += dinp[i];
    for (long i = 0; i < nw; i++) pre_w[i] += dw[i];
    for (long i = 0; i < g.OC; i++) pre_b[i] += db[i];
    const char *kind = g.transposed ? "conv_transpose2d" : "conv2d";
    char what[96];
    snprintf(what, sizeof what, "%s: dinp accumulated", kind);
    check_close(what, acc_i, pre_i, ni, 1e-5f, 1e-5f);
    snprintf(what, sizeof what, "%s: dweight accumulated", kind);
    check_close(what, acc_w, pre_w, nw, 1e-5f, 1e-5f);
    snprintf(what, sizeof what, "%s: dbias accumulated", kind);
    check_close(what, acc_b, pre_b, g.OC, 1e-5f, 1e-5f);

    // One gradient at a time, the others NULL: each must equal its fresh value.
    float *one_i = alloc_floats(ni), *one_w = alloc_floats(nw), *one_b = alloc_floats(g.OC);
    backward(&g, one_i, NULL, NULL, col, dout, inp, w);
    backward(&g, NULL, one_w, NULL, col, dout, inp, w);
    backward(&g, NULL, NULL, one_b, col, dout, inp, w);
    snprintf(what, sizeof what, "%s: dinp alone", kind);
    check_close(what, one_i, dinp, ni, 1e-6f, 1e-6f);
    snprintf(what, sizeof what, "%s: dweight alone", kind);
    check_close(what, one_w, dw, nw, 1e-6f, 1e-6f);
    snprintf(what, sizeof what, "%s: dbias alone", kind);
    check_close(what, one_b, db, g.OC, 1e-6f, 1e-6f);

    free(inp); free(w); free(dout); free(col); free(dinp); free(dw); free(db);
    free(pre_i); free(pre_w); free(pre_b); free(acc_i); free(acc_w); free(acc_b);
    free(one_i); free(one_w); free(one_b);
}

Test(conv_grad, conv2d_backward_accumulates_and_skips_null) {
    check_accumulates(conv2d_geom(2, 3, 7, 9, 4, 3, 2, 1), 31);
}

Test(conv_grad, conv_transpose2d_backward_accumulates_and_skips_null) {
    check_accumulates(conv_transpose2d_geom(2, 3, 3, 5, 4, 3, 2, 1, 1), 32);
}

// ---------------------------------------------------------------- the paths agree
// A stride-1 convolution to at most 4 channels runs direct loops, not
// im2col + GEMM (conv_direct.c). The same convolution with extra output channels
// (weights and dout of the extra ones random and zero) takes the GEMM path: its
// first OC channels of out, dweight, dbias and its dinp must match. Tolerance:
// atol 5e-5, rtol 1e-4, the two paths summing up to a few hundred float32
// products of size ~1 in different orders.
TestSuite(conv_paths, .timeout = 60);

static void check_direct_matches_gemm(int B, int C, int H, int W, int OC, int K, int P,
                                      uint64_t seed) {
    const int WIDE = 9;   // output channels of the GEMM-path twin
    Rng rng;
    rng_seed(&rng, seed);
    ConvGeom g = conv2d_geom(B, C, H, W, OC, K, 1, P), gw = conv2d_geom(B, C, H, W, WIDE, K, 1, P);
    long ni = inp_size(&g), no = out_size(&g), nw = weight_size(&g), plane = (long)g.OH * g.OW;
    float *inp = random_floats(&rng, ni, 1.0f), *w = random_floats(&rng, nw, 0.5f);
    float *bias = random_floats(&rng, OC, 1.0f), *dout = random_floats(&rng, no, 1.0f);
    // The twin: weight rows, bias and dout of channels [0, OC) as above, the rest random / 0.
    float *ww = random_floats(&rng, weight_size(&gw), 0.5f), *bw = random_floats(&rng, WIDE, 1.0f);
    float *doutw = alloc_floats(out_size(&gw));
    memcpy(ww, w, sizeof(float) * nw);
    memcpy(bw, bias, sizeof(float) * OC);
    for (int b = 0; b < B; b++)
        memcpy(doutw + (long)b * WIDE * plane, dout + (long)b * OC * plane,
               sizeof(float) * OC * plane);

    float *out = alloc_floats(no), *col = alloc_floats(conv_col_size(&g));
    float *dinp = alloc_floats(ni), *dw = alloc_floats(nw), *db = alloc_floats(OC);
    conv2d_forward(out, col, inp, w, bias, &g);
    conv2d_backward(dinp, dw, db, col, dout, inp, w, &g);
    float *outw = alloc_floats(out_size(&gw)), *colw = alloc_floats(conv_col_size(&gw));
    float *dinpw = alloc_floats(ni), *dww = alloc_floats(weight_size(&gw)), *dbw = alloc_floats(WIDE);
    conv2d_forward(outw, colw, inp, ww, bw, &gw);
    conv2d_backward(dinpw, dww, dbw, colw, doutw, inp, ww, &gw);

    char what[96];
    for (int b = 0; b < B; b++) {
        snprintf(what, sizeof what, "C%d OC%d K%d P%d: out of image %d", C, OC, K, P, b);
        check_close(what, out + (long)b * OC * plane, outw + (long)b * WIDE * plane, OC * plane,
                    5e-5f, 1e-4f);
    }
    // The twin's extra channels have dout 0: they add nothing to dinp.
    snprintf(what, sizeof what, "C%d OC%d K%d P%d: dinp", C, OC, K, P);
    check_close(what, dinp, dinpw, ni, 5e-5f, 1e-4f);
    snprintf(what, sizeof what, "C%d OC%d K%d P%d: dweight", C, OC, K, P);
    check_close(what, dw, dww, nw, 5e-5f, 1e-4f);
    snprintf(what, sizeof what, "C%d OC%d K%d P%d: dbias", C, OC, K, P);
    check_close(what, db, dbw, OC, 5e-5f, 1e-4f);
    free(inp); free(w); free(bias); free(dout); free(ww); free(bw); free(doutw);
    free(out); free(col); free(dinp); free(dw); free(db);
    free(outw); free(colw); free(dinpw); free(dww); free(dbw);
}

Test(conv_paths, few_output_channels_direct_matches_gemm) {
    check_direct_matches_gemm(2, 5, 9, 11, 3, 3, 1, 41);   // padding wider than nothing
    check_direct_matches_gemm(1, 4, 12, 10, 1, 4, 1, 42);  // PatchGAN's last layer, even K
    check_direct_matches_gemm(1, 6, 13, 13, 3, 7, 0, 43);  // c7s1-3 on a padded input
    check_direct_matches_gemm(3, 2, 6, 5, 4, 3, 2, 44);    // P > K/2: whole padded rows
}

// Rows of 16 columns or more run in register tiles of 16 (conv_direct.c), the
// columns at the edges and past the last whole tile in the plain loops; the
// weight gradient in vectors of 8 columns. Few rows, so that each dweight sum
// stays a few hundred products (the tolerance above).
Test(conv_paths, few_output_channels_register_tiles_match_gemm) {
    check_direct_matches_gemm(1, 32, 10, 70, 3, 7, 0, 46);  // W3's c7s1-3 rows: four whole tiles
    check_direct_matches_gemm(1, 5, 40, 45, 3, 7, 0, 47);   // two tiles and 7 columns after
    check_direct_matches_gemm(2, 3, 20, 38, 2, 3, 1, 48);   // padding: an edge column each side
    check_direct_matches_gemm(1, 4, 24, 24, 4, 3, 1, 49);   // four output channels
    check_direct_matches_gemm(1, 2, 22, 21, 1, 5, 2, 50);   // one channel, P = 2
}

Test(conv_paths, few_output_channels_accumulates_and_skips_null) {
    check_accumulates(conv2d_geom(2, 3, 7, 9, 3, 3, 1, 1), 45);
}

// An image whose col outgrows a chunk (here 576 rows x 2304 columns) runs in
// bands of output rows, the dinp GEMM in blocks of channels (conv_bands.c). Checked
// against the definition through the public im2col / col2im and plain loops
// for the products. Tolerance: atol 1e-4, rtol 1e-4 (sums of 576-2304 float32
// products of size ~1, in different orders).
Test(conv_paths, large_image_bands_match_the_definition) {
    const int C = 64, H = 48, W = 48, OC = 8, K = 3;
    ConvGeom g = conv2d_geom(1, C, H, W, OC, K, 1, 1);
    long CKK = (long)C * K * K, N = (long)g.OH * g.OW, ni = inp_size(&g), nw = weight_size(&g);
    Rng rng;
    rng_seed(&rng, 47);
    float *inp = random_floats(&rng, ni, 1.0f), *w = random_floats(&rng, nw, 0.1f);
    float *dout = random_floats(&rng, out_size(&g), 1.0f), *col = alloc_floats(conv_col_size(&g));
    float *out = alloc_floats(out_size(&g)), *dinp = alloc_floats(ni), *dw = alloc_floats(nw);
    conv2d_forward(out, col, inp, w, NULL, &g);
    conv2d_backward(dinp, dw, NULL, col, dout, inp, w, &g);

    float *cols = alloc_floats(CKK * N), *want_out = alloc_floats(out_size(&g));
    float *dcol = alloc_floats(CKK * N), *want_dinp = alloc_floats(ni), *want_dw = alloc_floats(nw);
    im2col(cols, inp, C, H, W, K, 1, 1, g.OH, g.OW);
    for (int o = 0; o < OC; o++)
        for (long k = 0; k < CKK; k++) {
            float wk = w[o * CKK + k];
            double s = 0.0;
            for (long i = 0; i < N; i++) {
                want_out[o * N + i] += wk * cols[k * N + i];
                dcol[k * N + i] += wk * dout[o * N + i];
                s += (double)dout[o * N + i] * cols[k * N + i];
            }
            want_dw[o * CKK + k] = (float)s;
        }
    col2im(want_dinp, dcol, C, H, W, K, 1, 1, g.OH, g.OW);
    check_close("banded conv: out", out, want_out, out_size(&g), 1e-4f, 1e-4f);
    check_close("banded conv: dinp", dinp, want_dinp, ni, 1e-4f, 1e-4f);
    check_close("banded conv: dweight", dw, want_dw, nw, 1e-4f, 1e-4f);
    free(inp); free(w); free(dout); free(col); free(out); free(dinp); free(dw);
    free(cols); free(want_out); free(dcol); free(want_dinp); free(want_dw);
}

// ---------------------------------------------------------------- the fast paths against the reference
// conv.c's *_reference functions run one image at a time through im2col and
// one GEMM each; every fast path (conv_chunks.c, conv_bands.c, conv_k4s2p1.c,
// conv_direct.c, conv_planes.c) must compute the same on the shapes that
// choose it. Each case below names the path it takes. Tolerance: the paths
// sum in other orders, atol 1e-6 per summed term (CKK for out, OC*K*K for
// dinp, B*N for dweight and dbias), rtol 1e-4.
TestSuite(conv_vs_reference, .timeout = 120);

static void check_against_reference(const char *path, ConvGeom g, int threads, uint64_t seed) {
    compute_set_threads(threads);
    g = g.transposed ? conv_transpose2d_geom(g.B, g.C, g.H, g.W, g.OC, g.K, g.S, g.P, g.OP)
                     : conv2d_geom(g.B, g.C, g.H, g.W, g.OC, g.K, g.S, g.P);
    Rng rng;
    rng_seed(&rng, seed);
    long ni = inp_size(&g), no = out_size(&g), nw = weight_size(&g);
    float *inp = random_floats(&rng, ni, 1.0f), *w = random_floats(&rng, nw, 0.1f);
    float *bias = random_floats(&rng, g.OC, 1.0f), *dout = random_floats(&rng, no, 1.0f);
    float *col = alloc_floats(conv_col_size(&g));
    float *out = alloc_floats(no), *dinp = alloc_floats(ni), *dw = alloc_floats(nw);
    float *db = alloc_floats(g.OC);
    float *want_out = alloc_floats(no), *want_dinp = alloc_floats(ni), *want_dw = alloc_floats(nw);
    float *want_db = alloc_floats(g.OC);
    forward(&g, out, col, inp, w, bias);
    backward(&g, dinp, dw, db, col, dout, inp, w);
    if (g.transposed) {
        conv_transpose2d_forward_reference(want_out, col, inp, w, bias, &g);
        conv_transpose2d_backward_reference(want_dinp, want_dw, want_db, col, dout, inp, w, &g);
    } else {
        conv2d_forward_reference(want_out, col, inp, w, bias, &g);
        conv2d_backward_reference(want_dinp, want_dw, want_db, col, dout, inp, w, &g);
    }
    // Terms of each sum: a convolution's out sums C*K*K products and its dinp
    // OC*K*K; a transposed one the other way round.
    long in_terms = (long)(g.transposed ? g.OC : g.C) * g.K * g.K;
    long out_terms = (long)(g.transposed ? g.C : g.OC) * g.K * g.K;
    long batch_terms = (long)g.B * (g.transposed ? g.H * g.W : g.OH * g.OW);
    char what[160];
    const char *kind = g.transposed ? "conv_transpose2d" : "conv2d";
#define CHECK_PART(name, got, want, n, terms)                                                  \
    snprintf(what, sizeof what, "%s (%s) B%d C%d %dx%d OC%d K%d S%d P%d, %d threads: %s", kind, \
             path, g.B, g.C, g.H, g.W, g.OC, g.K, g.S, g.P, threads, name);                    \
    check_close(what, got, want, n, 1e-6f * (float)(terms), 1e-4f)
    CHECK_PART("out", out, want_out, no, in_terms);
    CHECK_PART("dinp", dinp, want_dinp, ni, out_terms);
    CHECK_PART("dweight", dw, want_dw, nw, batch_terms);
    CHECK_PART("dbias", db, want_db, g.OC, batch_terms);
#undef CHECK_PART
    free(inp); free(w); free(bias); free(dout); free(col); free(out); free(dinp); free(dw);
    free(db); free(want_out); free(want_dinp); free(want_dw); free(want_db);
}

// A geometry by its arguments only; check_against_reference fills in the sizes.
#define CONV(B, C, H, W, OC, K, S, P) ((ConvGeom){B, C, H, W, OC, K, S, P, 0, 0, 0, 0})
#define CONVT(B, C, H, W, OC, K, S, P, OP) ((ConvGeom){B, C, H, W, OC, K, S, P, OP, 0, 0, 1})

Test(conv_vs_reference, chunks_of_images) {
    // one chunk, the GEMM's threads inside (one slice)
    check_against_reference("one chunk", CONV(3, 4, 9, 11, 6, 3, 2, 1), 1, 61);
    check_against_reference("one chunk", CONVT(3, 4, 5, 7, 6, 3, 2, 1, 1), 1, 62);
    // 64 images of 14x14 at C*K*K = 144: two chunks of 32
    check_against_reference("two chunks", CONV(64, 16, 14, 14, 8, 3, 1, 1), 1, 63);
    // transposed, 1024 rows of col per pixel: four images per chunk
    check_against_reference("four chunks", CONVT(16, 64, 14, 14, 64, 4, 2, 1, 0), 1, 64);
    // W1's D layers and G's transposed ones (k4 s2 p1, the phases inside)
    check_against_reference("W1 D", CONV(64, 1, 28, 28, 16, 4, 2, 1), 1, 65);
    check_against_reference("W1 G", CONVT(64, 32, 7, 7, 16, 4, 2, 1, 0), 1, 66);
}

Test(conv_vs_reference, threads_over_images) {
    // two slices of 4 images (B*N per thread >= 128 columns)
    check_against_reference("slices", CONV(8, 4, 14, 14, 8, 4, 2, 1), 2, 67);
    check_against_reference("slices", CONVT(8, 8, 7, 7, 4, 4, 2, 1, 0), 2, 68);
    check_against_reference("W1 D, slices", CONV(64, 1, 28, 28, 16, 4, 2, 1), 2, 69);
    check_against_reference("W1 G, slices", CONVT(64, 32, 7, 7, 16, 4, 2, 1, 0), 2, 70);
    // 5 images on 2 threads: uneven, so the threads go inside the GEMMs
    check_against_reference("uneven", CONV(5, 8, 16, 16, 16, 3, 2, 0), 2, 71);
}

Test(conv_vs_reference, bands_of_rows) {
    // C*K*K * OH*OW = 576 * 2304 > 1M floats: bands of output rows
    check_against_reference("bands", CONV(1, 64, 48, 48, 8, 3, 1, 1), 1, 72);
    check_against_reference("bands", CONV(2, 64, 48, 40, 8, 3, 1, 1), 2, 73);
}

Test(conv_vs_reference, k4s2p1_phases) {
    // even images up to 64x64 take the phases (conv_k4s2p1.c), 2x2 -> 1x1 too
    check_against_reference("phases", CONV(2, 3, 64, 64, 5, 4, 2, 1), 1, 74);
    check_against_reference("phases", CONV(4, 2, 2, 2, 3, 4, 2, 1), 1, 75);
    check_against_reference("phases", CONVT(2, 3, 32, 32, 4, 4, 2, 1, 0), 1, 76);
    // past 64x64, or odd: the general loops
    check_against_reference("no phases", CONV(1, 2, 66, 66, 3, 4, 2, 1), 1, 77);
    check_against_reference("no phases", CONV(2, 2, 7, 9, 5, 4, 2, 1), 1, 78);
}

Test(conv_vs_reference, direct_few_channels) {
    check_against_reference("direct", CONV(1, 32, 10, 70, 3, 7, 1, 3), 1, 79);   // W3's c7s1-3
    check_against_reference("direct", CONV(2, 4, 12, 10, 1, 4, 1, 1), 1, 80);    // PatchGAN's last
    check_against_reference("direct", CONV(2, 5, 20, 38, 4, 3, 1, 1), 2, 81);    // threads
}

// The plane loops of the GEMM paths (conv_planes.c, with conv_k4s2p1.c's
// phases) against the reference im2col / col2im, whole planes and two bands
// of rows: im2col exactly, col2im up to float rounding (the phases sum the
// patches of a pixel in another order).
Test(im2col, fast_planes_match_the_reference) {
    static const int CASES[][6] = {
        {3, 7, 9, 3, 1, 1}, {2, 7, 9, 3, 2, 0}, {2, 7, 9, 4, 2, 1}, {1, 5, 6, 1, 1, 1},
        {1, 3, 8, 5, 1, 2}, {2, 9, 7, 3, 3, 2},
        {2, 2, 2, 4, 2, 1}, {1, 2, 6, 4, 2, 1}, {2, 6, 4, 4, 2, 1},   // phases
        {1, 28, 28, 4, 2, 1}, {1, 64, 64, 4, 2, 1}, {1, 66, 66, 4, 2, 1},
    };
    Rng rng;
    rng_seed(&rng, 14);
    for (size_t n = 0; n < sizeof CASES / sizeof CASES[0]; n++) {
        const int *p = CASES[n];
        int C = p[0], H = p[1], W = p[2], K = p[3], S = p[4], P = p[5];
        int OH = (H + 2 * P - K) / S + 1, OW = (W + 2 * P - K) / S + 1, KK = K * K;
        long N = (long)OH * OW, HW = (long)H * W, ncol = (long)C * KK * N;
        float *img = random_floats(&rng, C * HW, 1.0f), *y = random_floats(&rng, ncol, 1.0f);
        float *want = alloc_floats(ncol), *got = random_floats(&rng, ncol, 1.0f);
        float *want_img = alloc_floats(C * HW), *got_img = alloc_floats(C * HW);
        im2col(want, img, C, H, W, K, S, P, OH, OW);
        col2im(want_img, y, C, H, W, K, S, P, OH, OW);
        for (int c = 0; c < C; c++) {
            conv_im2col_plane(got + c * KK * N, N, img + c * HW, H, W, K, S, P, OH, OW, 0, OH);
            conv_col2im_plane(got_img + c * HW, y + c * KK * N, N, H, W, K, S, P, OH, OW, 0, OH);
        }
        char what[96];
        snprintf(what, sizeof what, "im2col planes C%d %dx%d K%d S%d P%d", C, H, W, K, S, P);
        check_close(what, got, want, ncol, 0.0f, 0.0f);
        snprintf(what, sizeof what, "col2im planes C%d %dx%d K%d S%d P%d", C, H, W, K, S, P);
        check_close(what, got_img, want_img, C * HW, 1e-6f * KK, 1e-6f);
        // Bands [0, mid) and [mid, OH) of channel 0: each row (ki, kj) of a
        // band is that slice of the plane's row.
        int mid = OH / 2;
        for (int band = 0; band < 2 && mid > 0; band++) {
            int oh0 = band ? mid : 0, oh1 = band ? OH : mid;
            long cols = (long)(oh1 - oh0) * OW;
            float *rows = alloc_floats(KK * cols);
            conv_im2col_plane(rows, cols, img, H, W, K, S, P, OH, OW, oh0, oh1);
            for (int k = 0; k < KK; k++) {
                snprintf(what, sizeof what, "im2col band [%d, %d) row %d C%d %dx%d K%d S%d P%d",
                         oh0, oh1, k, C, H, W, K, S, P);
                check_close(what, rows + k * cols, want + k * N + (long)oh0 * OW, cols, 0.0f, 0.0f);
            }
            free(rows);
        }
        free(img); free(y); free(want); free(got); free(want_img); free(got_img);
    }
}
