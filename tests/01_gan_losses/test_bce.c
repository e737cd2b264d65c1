// test_bce.c - exercises 1.1 and 1.2: binary cross-entropy on logits and its
// gradient, against PyTorch's BCEWithLogitsLoss, finite differences, and the
// exact limits at huge logits.
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>

#include "losses.h"
#include "l01_test.h"
#include "ref.h"

#define N 16    // the batch in lesson01_bce.bin
#define NX 11   // the extreme logits in lesson01_bce.bin

TestSuite(l01_bce, .timeout = 10);

static const struct { const char *name; float y; } TARGETS[] = {
    {"y0", 0.0f}, {"y09", 0.9f}, {"y1", 1.0f}};

// ---------------------------------------------------------------- 1.1

Test(l01_bce, forward_matches_pytorch) {
    RefFile *ref = ref_open("lesson01_bce.bin");
    const float *real = ref_get(ref, "real", N);
    const float *extreme = ref_get(ref, "extreme", NX);
    for (int t = 0; t < 3; t++) {
        char key[64], what[96];
        snprintf(key, sizeof key, "bce_real_%s", TARGETS[t].name);
        float got = l01_bce_forward(real, TARGETS[t].y, N), want = ref_scalar(ref, key);
        snprintf(what, sizeof what, "l01_bce_forward(16 logits, target %.1f)", TARGETS[t].y);
        check_close(what, &got, &want, 1, 1e-6f, 1e-5f);
        // PyTorch at logits up to +-1e4: the naive log(sigmoid) is -inf there
        snprintf(key, sizeof key, "bce_extreme_%s", TARGETS[t].name);
        got = l01_bce_forward(extreme, TARGETS[t].y, NX), want = ref_scalar(ref, key);
        snprintf(what, sizeof what, "l01_bce_forward(logits -1e4..1e4, target %.1f)",
                 TARGETS[t].y);
        check_close(what, &got, &want, 1, 1e-6f, 1e-5f);
    }
    ref_close(ref);
}

Test(l01_bce, forward_stable_at_huge_logits) {
    // One logit at a time: BCE(a, y) tends to |a| when the label is on the
    // wrong side, to 0 when it is on the right side, and must never be NaN/Inf.
    static const struct { float a, y, want; } cases[] = {
        {100.0f, 0.0f, 100.0f},   {-100.0f, 1.0f, 100.0f},  {100.0f, 1.0f, 0.0f},
        {-100.0f, 0.0f, 0.0f},    {1e4f, 0.0f, 1e4f},       {-1e4f, 1.0f, 1e4f},
        {1e4f, 1.0f, 0.0f},       {-1e4f, 0.9f, 9000.0f},   {1e30f, 0.0f, 1e30f},
        {-1e30f, 1.0f, 1e30f},    {1e30f, 1.0f, 0.0f},      {-1e30f, 0.0f, 0.0f},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        float got = l01_bce_forward(&cases[i].a, cases[i].y, 1);
        cr_assert(isfinite(got), "l01_bce_forward(logit %g, target %g) = %g: must be finite "
                  "(use max(a,0) - a*y + log(1 + exp(-|a|)))", cases[i].a, cases[i].y, got);
        char what[96];
        snprintf(what, sizeof what, "l01_bce_forward(logit %g, target %g)", cases[i].a,
                 cases[i].y);
        check_close(what, &got, &cases[i].want, 1, 1e-6f, 1e-6f);
    }
}

// ---------------------------------------------------------------- 1.2

Test(l01_bce, backward_matches_pytorch) {
    RefFile *ref = ref_open("lesson01_bce.bin");
    const float *real = ref_get(ref, "real", N);
    const float *extreme = ref_get(ref, "extreme", NX);
    for (int t = 0; t < 3; t++) {
        char key[64], what[96];
        float d[N] = {0};
        snprintf(key, sizeof key, "dbce_real_%s", TARGETS[t].name);
        l01_bce_backward(d, real, TARGETS[t].y, 1.0f, N);
        snprintf(what, sizeof what, "l01_bce_backward(16 logits, target %.1f)", TARGETS[t].y);
        check_close(what, d, ref_get(ref, key, N), N, 1e-7f, 1e-5f);
        float dx[NX] = {0};
        snprintf(key, sizeof key, "dbce_extreme_%s", TARGETS[t].name);
        l01_bce_backward(dx, extreme, TARGETS[t].y, 1.0f, NX);
        snprintf(what, sizeof what, "l01_bce_backward(logits -1e4..1e4, target %.1f)",
                 TARGETS[t].y);
        check_close(what, dx, ref_get(ref, key, NX), NX, 1e-7f, 1e-5f);
    }
    ref_close(ref);
}

typedef struct { float *a; float y, dloss; int n; } BceCtx;
static double bce_scalar(void *p) {
    BceCtx *c = p;
    return c->dloss * l01_bce_mean(c->a, c->y, c->n);
}

Test(l01_bce, backward_finite_differences) {
    RefFile *ref = ref_open("lesson01_bce.bin");
    float a[N];
    for (int i = 0; i < N; i++) a[i] = ref_get(ref, "real", N)[i];
    for (int t = 0; t < 3; t++) {
        float d[N] = {0};
        l01_bce_backward(d, a, TARGETS[t].y, 1.5f, N);
        BceCtx ctx = {a, TARGETS[t].y, 1.5f, N};
        char what[96];
        snprintf(what, sizeof what, "l01_bce_backward(target %.1f, dloss 1.5)", TARGETS[t].y);
        check_grad_fd(what, a, d, N, bce_scalar, &ctx, 1e-2f, 1e-5f, 1e-2f, N);
    }
    ref_close(ref);
}

Test(l01_bce, backward_stable_at_huge_logits) {
    // sigmoid(a) - y tends to 1 - y (a -> +inf) and -y (a -> -inf); n = 4
    float a[4] = {100.0f, -100.0f, 1e30f, -1e30f};
    for (int t = 0; t < 3; t++) {
        float y = TARGETS[t].y, d[4] = {0};
        l01_bce_backward(d, a, y, 1.0f, 4);
        float want[4] = {(1 - y) / 4, -y / 4, (1 - y) / 4, -y / 4};
        for (int i = 0; i < 4; i++)
            cr_assert(isfinite(d[i]), "l01_bce_backward(logit %g, target %g) gave %g: must be "
                      "finite", a[i], y, d[i]);
        char what[96];
        snprintf(what, sizeof what, "l01_bce_backward(logits +-100, +-1e30, target %.1f)", y);
        check_close(what, d, want, 4, 1e-7f, 1e-5f);
    }
}

Test(l01_bce, backward_accumulates_and_scales) {
    RefFile *ref = ref_open("lesson01_bce.bin");
    const float *real = ref_get(ref, "real", N);
    float d[N];
    for (int i = 0; i < N; i++) d[i] = 0.25f;
    l01_bce_backward(d, real, 1.0f, 2.0f, N);
    l01_expect_accumulated("l01_bce_backward into an array holding 0.25, dloss 2 "
                           "(use += and multiply by dloss)",
                           d, ref_get(ref, "dbce_real_y1", N), 0.25f, 2.0f, N);
    ref_close(ref);
}
