// test_conv.c - exercises 3.1 to 3.6: im2col, col2im, convolution and
// transposed convolution, against PyTorch (F.unfold, F.fold, F.conv2d,
// F.conv_transpose2d and autograd: tests/ref/gen_lesson03.py), finite
// differences, the adjoint identity, accumulation and NULL gradients.
// Each exercise is charged for its own mistakes only: 3.3-3.6 run with the
// library's im2col and col2im in place of 3.1 and 3.2 (isolate_conv_exercises.h),
// the finite differences of 3.4 and 3.6 differentiate the library's forward
// passes, and 3.2's adjoint test pairs col2im with the library's im2col.
#include "conv_exercises.h"
#include "l03_test.h"

#include "util/rng.h"

static const char *CASES[] = {"a", "b", "c"};
#define N_CASES 3

// Outputs and gradients are sums of at most a few hundred products of O(1)
// numbers: float32 rounding stays far below these bounds.
#define ATOL 1e-4f
#define RTOL 1e-4f

// The student's 3.3-3.6, calling the library's im2col and col2im.
void l03_conv2d_forward_isolated(float *out, float *col, const float *inp, const float *weight,
                                 const float *bias, const ConvGeom *g);
void l03_conv2d_backward_isolated(float *dinp, float *dweight, float *dbias, float *col,
                                  const float *dout, const float *inp, const float *weight,
                                  const ConvGeom *g);
void l03_conv_transpose2d_forward_isolated(float *out, float *col, const float *inp,
                                           const float *weight, const float *bias,
                                           const ConvGeom *g);
void l03_conv_transpose2d_backward_isolated(float *dinp, float *dweight, float *dbias,
                                            float *col, const float *dout, const float *inp,
                                            const float *weight, const ConvGeom *g);

TestSuite(l03_im2col, .timeout = 20);
TestSuite(l03_col2im, .timeout = 20);
TestSuite(l03_conv2d, .timeout = 30);
TestSuite(l03_conv_transpose2d, .timeout = 30);

// ---------------------------------------------------------------- 3.1 im2col

Test(l03_im2col, matches_pytorch_unfold) {
    RefFile *ref = ref_open("lesson03_conv.bin");
    for (int k = 0; k < N_CASES; k++) {
        ConvCase c = conv_case(ref, CASES[k]);
        long n = (long)c.C * c.K * c.K * c.OH * c.OW;
        float *col = filled(n, NAN);   // every entry must be written, padding included
        l03_im2col(col, case_get(ref, &c, "inp", c.in_size), c.C, c.H, c.W, c.K, c.S, c.P,
                   c.OH, c.OW);
        char what[96];
        snprintf(what, sizeof what, "case %s: l03_im2col (C %d, %dx%d, K %d, S %d, P %d) vs "
                 "F.unfold", c.name, c.C, c.H, c.W, c.K, c.S, c.P);
        check_close(what, col, case_get(ref, &c, "col", n), n, 0.0f, 0.0f);
        free(col);
    }
    ref_close(ref);
}

// ---------------------------------------------------------------- 3.2 col2im

Test(l03_col2im, matches_pytorch_fold) {
    RefFile *ref = ref_open("lesson03_conv.bin");
    for (int k = 0; k < N_CASES; k++) {
        ConvCase c = conv_case(ref, CASES[k]);
        long n_img = (long)c.C * c.H * c.W, n_col = (long)c.C * c.K * c.K * c.OH * c.OW;
        float *img = filled(n_img, 0.0f);
        l03_col2im(img, case_get(ref, &c, "ycol", n_col), c.C, c.H, c.W, c.K, c.S, c.P, c.OH,
                   c.OW);
        char what[96];
        snprintf(what, sizeof what, "case %s: l03_col2im (C %d, %dx%d, K %d, S %d, P %d) vs "
                 "F.fold", c.name, c.C, c.H, c.W, c.K, c.S, c.P);
        check_close(what, img, case_get(ref, &c, "fold", n_img), n_img, 1e-5f, 1e-5f);
        free(img);
    }
    ref_close(ref);
}

Test(l03_col2im, accumulates) {
    RefFile *ref = ref_open("lesson03_conv.bin");
    ConvCase c = conv_case(ref, "b");
    long n_img = (long)c.C * c.H * c.W, n_col = (long)c.C * c.K * c.K * c.OH * c.OW;
    const float *fold = case_get(ref, &c, "fold", n_img);
    float *img = filled(n_img, 1.0f), *want = malloc(sizeof(float) * n_img);
    for (long i = 0; i < n_img; i++) want[i] = fold[i] + 1.0f;
    l03_col2im(img, case_get(ref, &c, "ycol", n_col), c.C, c.H, c.W, c.K, c.S, c.P, c.OH, c.OW);
    check_close("l03_col2im onto an image of ones: must ADD (+=), not overwrite", img, want,
                n_img, 1e-5f, 1e-5f);
    free(img);
    free(want);
    ref_close(ref);
}

// <im2col(x), y> = <x, col2im(y)> for random x and y: col2im is im2col's adjoint.
Test(l03_col2im, is_the_adjoint_of_im2col) {
    static const int geoms[][5] = {{3, 9, 7, 4, 2}, {2, 6, 6, 3, 1}, {1, 7, 5, 3, 3}};  // C H W K S
    Rng rng;
    rng_seed(&rng, 31);
    for (int k = 0; k < 3; k++) {
        int C = geoms[k][0], H = geoms[k][1], W = geoms[k][2], K = geoms[k][3], S = geoms[k][4];
        int P = 1, OH = (H + 2 * P - K) / S + 1, OW = (W + 2 * P - K) / S + 1;
        long n_img = (long)C * H * W, n_col = (long)C * K * K * OH * OW;
        float *x = malloc(sizeof(float) * n_img), *y = malloc(sizeof(float) * n_col);
        float *col = filled(n_col, NAN), *img = filled(n_img, 0.0f);
        rng_fill_normal(&rng, x, (int)n_img, 0.0f, 1.0f);
        rng_fill_normal(&rng, y, (int)n_col, 0.0f, 1.0f);
        im2col(col, x, C, H, W, K, S, P, OH, OW);   // the library's: this test is 3.2's
        l03_col2im(img, y, C, H, W, K, S, P, OH, OW);
        double a = dot_probe(col, y, n_col), b = dot_probe(x, img, n_img);
        cr_assert(fabs(a - b) <= 1e-4 * (fabs(a) + 1.0),
                  "<im2col(x), y> = %.6f but <x, col2im(y)> = %.6f (C %d, %dx%d, K %d, S %d, "
                  "P %d): col2im must add each entry back where im2col took it", a, b, C, H, W,
                  K, S, P);
        free(x), free(y), free(col), free(img);
    }
}

// ---------------------------------------------------------------- forward, both kinds

typedef void (*ForwardFn)(float *, float *, const float *, const float *, const float *,
                          const ConvGeom *);
typedef void (*BackwardFn)(float *, float *, float *, float *, const float *, const float *,
                           const float *, const ConvGeom *);

static void forward_matches(const char *file, ForwardFn fwd, const char *fn) {
    RefFile *ref = ref_open(file);
    for (int k = 0; k < N_CASES; k++) {
        ConvCase c = conv_case(ref, CASES[k]);
        float *out = filled(c.out_size, 7.0f);   // must be overwritten, not added to
        float *col = filled(conv_col_size(&c.g), NAN);
        fwd(out, col, case_get(ref, &c, "inp", c.in_size), case_get(ref, &c, "weight", c.w_size),
            c.has_bias ? case_get(ref, &c, "bias", c.OC) : NULL, &c.g);
        char what[128];
        snprintf(what, sizeof what, "case %s: %s (B %d, C %d, %dx%d -> OC %d, %dx%d, K %d, S %d, "
                 "P %d, OP %d, bias %d)", c.name, fn, c.B, c.C, c.H, c.W, c.OC, c.OH, c.OW, c.K,
                 c.S, c.P, c.OP, c.has_bias);
        check_close(what, out, case_get(ref, &c, "out", c.out_size), c.out_size, ATOL, RTOL);
        free(out), free(col);
    }
    ref_close(ref);
}

// ---------------------------------------------------------------- backward, both kinds

// Runs bwd `times` times on zeroed gradients (NULL where want_* is 0); the
// gradients then hold times * the true ones.
static void run_backward(BackwardFn bwd, const RefFile *ref, const ConvCase *c, int times,
                         float **dinp, float **dweight, float **dbias, int want_inp,
                         int want_weight, int want_bias) {
    *dinp = want_inp ? filled(c->in_size, 0.0f) : NULL;
    *dweight = want_weight ? filled(c->w_size, 0.0f) : NULL;
    *dbias = want_bias && c->has_bias ? filled(c->OC, 0.0f) : NULL;
    float *col = filled(conv_col_size(&c->g), NAN);
    for (int t = 0; t < times; t++)
        bwd(*dinp, *dweight, *dbias, col, case_get(ref, c, "dout", c->out_size),
            case_get(ref, c, "inp", c->in_size), case_get(ref, c, "weight", c->w_size), &c->g);
    free(col);
}

static void check_grads(const RefFile *ref, const ConvCase *c, const char *fn, const char *how,
                        float s, const float *dinp, const float *dweight, const float *dbias) {
    char what[160];
    const struct { const char *name; const float *got; long n; } grads[] = {
        {"dinp", dinp, c->in_size}, {"dweight", dweight, c->w_size}, {"dbias", dbias, c->OC}};
    for (int i = 0; i < 3; i++) {
        if (!grads[i].got) continue;
        float *want = scaled(case_get(ref, c, grads[i].name, grads[i].n), grads[i].n, s);
        snprintf(what, sizeof what, "case %s: %s, %s %s", c->name, fn, grads[i].name, how);
        check_close(what, grads[i].got, want, grads[i].n, ATOL, RTOL);
        free(want);
    }
}

static void backward_matches(const char *file, BackwardFn bwd, const char *fn) {
    RefFile *ref = ref_open(file);
    for (int k = 0; k < N_CASES; k++) {
        ConvCase c = conv_case(ref, CASES[k]);
        float *dinp, *dweight, *dbias;
        run_backward(bwd, ref, &c, 1, &dinp, &dweight, &dbias, 1, 1, 1);
        check_grads(ref, &c, fn, "vs PyTorch's autograd", 1.0f, dinp, dweight, dbias);
        free(dinp), free(dweight), free(dbias);
    }
    ref_close(ref);
}

// Called twice, the gradients double (+=); each NULL gradient is skipped
// while the others are still right.
static void backward_accumulates(const char *file, BackwardFn bwd, const char *fn) {
    RefFile *ref = ref_open(file);
    ConvCase c = conv_case(ref, "a");
    float *dinp, *dweight, *dbias;
    run_backward(bwd, ref, &c, 2, &dinp, &dweight, &dbias, 1, 1, 1);
    check_grads(ref, &c, fn, "after two calls (must accumulate: +=)", 2.0f, dinp, dweight, dbias);
    free(dinp), free(dweight), free(dbias);
    for (int skip = 0; skip < 3; skip++) {
        run_backward(bwd, ref, &c, 1, &dinp, &dweight, &dbias, skip != 0, skip != 1, skip != 2);
        const char *hows[] = {"with dinp = NULL", "with dweight = NULL", "with dbias = NULL"};
        check_grads(ref, &c, fn, hows[skip], 1.0f, dinp, dweight, dbias);
        free(dinp), free(dweight), free(dbias);
    }
    ref_close(ref);
}

// f = sum(forward(inp, weight, bias) * probe) in double, differentiated by
// central differences with respect to each of the three.
typedef struct {
    ForwardFn fwd;
    ConvGeom g;
    float *inp, *weight, *bias, *out, *col;
    const float *probe;
    long out_size;
} FdCtx;

static double fd_f(void *p) {
    FdCtx *c = p;
    c->fwd(c->out, c->col, c->inp, c->weight, c->bias, &c->g);
    return dot_probe(c->out, c->probe, c->out_size);
}

static void backward_finite_differences(const char *file, const char *name, ForwardFn fwd,
                                        BackwardFn bwd, const char *fn) {
    RefFile *ref = ref_open(file);
    ConvCase c = conv_case(ref, name);
    FdCtx ctx = {.fwd = fwd, .g = c.g, .out_size = c.out_size,
                 .inp = copy_of(case_get(ref, &c, "inp", c.in_size), c.in_size),
                 .weight = copy_of(case_get(ref, &c, "weight", c.w_size), c.w_size),
                 .bias = copy_of(case_get(ref, &c, "bias", c.OC), c.OC),
                 .out = filled(c.out_size, 0.0f), .col = filled(conv_col_size(&c.g), 0.0f),
                 .probe = case_get(ref, &c, "dout", c.out_size)};
    float *dinp = filled(c.in_size, 0.0f), *dweight = filled(c.w_size, 0.0f);
    float *dbias = filled(c.OC, 0.0f);
    bwd(dinp, dweight, dbias, ctx.col, ctx.probe, ctx.inp, ctx.weight, &c.g);
    char what[96];
    // f is linear in each argument: central differences are exact up to
    // float32 rounding of the forward pass, hence h = 1e-2 and 1e-2 bounds.
    snprintf(what, sizeof what, "%s: dinp vs finite differences", fn);
    check_grad_fd(what, ctx.inp, dinp, c.in_size, fd_f, &ctx, 1e-2f, 1e-2f, 1e-2f, 60);
    snprintf(what, sizeof what, "%s: dweight vs finite differences", fn);
    check_grad_fd(what, ctx.weight, dweight, c.w_size, fd_f, &ctx, 1e-2f, 1e-2f, 1e-2f, 60);
    snprintf(what, sizeof what, "%s: dbias vs finite differences", fn);
    check_grad_fd(what, ctx.bias, dbias, c.OC, fd_f, &ctx, 1e-2f, 1e-2f, 1e-2f, 60);
    free(ctx.inp), free(ctx.weight), free(ctx.bias), free(ctx.out), free(ctx.col);
    free(dinp), free(dweight), free(dbias);
    ref_close(ref);
}

// ---------------------------------------------------------------- 3.3, 3.4 convolution

Test(l03_conv2d, forward_matches_pytorch) {
    forward_matches("lesson03_conv.bin", l03_conv2d_forward_isolated, "l03_conv2d_forward");
}

Test(l03_conv2d, backward_matches_pytorch) {
    backward_matches("lesson03_conv.bin", l03_conv2d_backward_isolated, "l03_conv2d_backward");
}

Test(l03_conv2d, backward_finite_differences) {
    backward_finite_differences("lesson03_conv.bin", "a", conv2d_forward,
                                l03_conv2d_backward_isolated, "l03_conv2d_backward");
}

Test(l03_conv2d, backward_accumulates_and_skips_null) {
    backward_accumulates("lesson03_conv.bin", l03_conv2d_backward_isolated,
                         "l03_conv2d_backward");
}

// ---------------------------------------------------------------- 3.5, 3.6 transposed

Test(l03_conv_transpose2d, forward_matches_pytorch) {
    forward_matches("lesson03_convt.bin", l03_conv_transpose2d_forward_isolated,
                    "l03_conv_transpose2d_forward");
}

Test(l03_conv_transpose2d, backward_matches_pytorch) {
    backward_matches("lesson03_convt.bin", l03_conv_transpose2d_backward_isolated,
                     "l03_conv_transpose2d_backward");
}

Test(l03_conv_transpose2d, backward_finite_differences) {
    backward_finite_differences("lesson03_convt.bin", "a", conv_transpose2d_forward,
                                l03_conv_transpose2d_backward_isolated,
                                "l03_conv_transpose2d_backward");
}

Test(l03_conv_transpose2d, backward_accumulates_and_skips_null) {
    backward_accumulates("lesson03_convt.bin", l03_conv_transpose2d_backward_isolated,
                         "l03_conv_transpose2d_backward");
}
