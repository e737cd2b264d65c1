// test_losses.c - BCE-with-logits, MSE and L1 against PyTorch
// (tests/ref/gen_kernels.py), BCE on logits up to +-10^4, finite differences
// and accumulation. Every backward runs with dloss = 0.7, not 1, so that a
// backward ignoring dloss fails.
#include <criterion/criterion.h>
#include <math.h>

#include "check.h"
#include "kernels/losses.h"
#include "ref.h"

enum {
    N_BCE = 4 * 9,           // ordinary logits
    N_BIG = 12,              // logits of +-88, +-100, +-1000, +-10^4
    N_AB = 2 * 2 * 5 * 7,    // MSE and L1 inputs
};

TestSuite(losses, .timeout = 30);

// ---------------------------------------------------------------- BCE with logits

Test(losses, bce_matches_pytorch) {
    RefFile *ref = ref_open("kernels_losses.bin");
    const float *x = ref_get(ref, "bce_logits", N_BCE), *y = ref_get(ref, "bce_targets", N_BCE);
    float dloss = ref_scalar(ref, "dloss");
    float loss = bce_with_logits_forward(x, y, N_BCE);
    float want = ref_scalar(ref, "bce");
    check_close("bce loss", &loss, &want, 1, 1e-6f, 1e-6f);
    float dx[N_BCE] = {0};
    bce_with_logits_backward(dx, x, y, dloss, N_BCE);
    check_close("bce dlogits", dx, ref_get(ref, "bce_dlogits", N_BCE), N_BCE, 1e-7f, 1e-5f);
    ref_close(ref);
}

// Logits of +-100 and beyond, right and wrong with certainty: the loss is
// finite and exact, per element and as a mean, and the gradient is
// dloss * (sigmoid(x) - y) / n with no NaN.
Test(losses, bce_is_exact_and_finite_for_huge_logits) {
    RefFile *ref = ref_open("kernels_losses.bin");
    const float *x = ref_get(ref, "big_logits", N_BIG), *y = ref_get(ref, "big_targets", N_BIG);
    const float *each = ref_get(ref, "bce_big_each", N_BIG);
    float dloss = ref_scalar(ref, "dloss");
    for (int i = 0; i < N_BIG; i++) {
        float loss = bce_with_logits_forward(&x[i], &y[i], 1);
        cr_assert(isfinite(loss), "bce(x=%g, y=%g) = %g is not finite", x[i], y[i], loss);
        // PyTorch rounds log(1 + e^-100) = 3.7e-44 to 0; both are right to 1e-30
        cr_assert(fabs(loss - each[i]) <= 1e-30 + 1e-6 * fabs(each[i]),
                  "bce(x=%g, y=%g) = %.9g, PyTorch %.9g", x[i], y[i], loss, each[i]);
    }
    float loss = bce_with_logits_forward(x, y, N_BIG);
    float want = ref_scalar(ref, "bce_big");
    cr_assert(isfinite(loss), "mean bce over huge logits is %g", loss);
    check_close("mean bce over huge logits", &loss, &want, 1, 0.0f, 1e-6f);

    float dx[N_BIG] = {0};
    bce_with_logits_backward(dx, x, y, dloss, N_BIG);
    for (int i = 0; i < N_BIG; i++) {
        cr_assert(isfinite(dx[i]), "dlogits[%d] = %g for x=%g, y=%g", i, dx[i], x[i], y[i]);
        // sigmoid(x) in double is exactly 0 or 1 at these |x| (up to e^-88)
        double sig = x[i] > 0 ? 1.0 : 0.0;
        double want_i = dloss * (sig - y[i]) / N_BIG;
        cr_assert(fabs(dx[i] - want_i) <= 1e-7,
                  "dlogits[%d] = %g, want (sigmoid(%g) - %g) * %g / %d = %g", i, dx[i], x[i], y[i],
                  dloss, N_BIG, want_i);
    }
    check_close("bce dlogits for huge logits", dx, ref_get(ref, "bce_big_dlogits", N_BIG), N_BIG,
                1e-7f, 1e-6f);
    ref_close(ref);
}

// ---------------------------------------------------------------- MSE and L1

Test(losses, mse_and_l1_match_pytorch) {
    RefFile *ref = ref_open("kernels_losses.bin");
    const float *a = ref_get(ref, "a", N_AB), *b = ref_get(ref, "b", N_AB);
    float dloss = ref_scalar(ref, "dloss");
    float mse = mse_forward(a, b, N_AB), want_mse = ref_scalar(ref, "mse");
    check_close("mse loss", &mse, &want_mse, 1, 1e-6f, 1e-6f);
    float l1 = l1_forward(a, b, N_AB), want_l1 = ref_scalar(ref, "l1");
    check_close("l1 loss", &l1, &want_l1, 1, 1e-6f, 1e-6f);

    float da[N_AB] = {0};
    mse_backward(da, a, b, dloss, N_AB);
    check_close("mse da", da, ref_get(ref, "mse_da", N_AB), N_AB, 1e-7f, 1e-5f);
    float dl1[N_AB] = {0};
    l1_backward(dl1, a, b, dloss, N_AB);
    // the first four pairs are equal: the gradient there is 0, as in PyTorch
    check_close("l1 da (0 where a == b)", dl1, ref_get(ref, "l1_da", N_AB), N_AB, 1e-7f, 1e-5f);
    ref_close(ref);
}

// Each backward twice on a buffer pre-filled with 0.5: 0.5 + 2 * grad.
Test(losses, backward_accumulates) {
    RefFile *ref = ref_open("kernels_losses.bin");
    float dloss = ref_scalar(ref, "dloss");
    const float *x = ref_get(ref, "bce_logits", N_BCE), *y = ref_get(ref, "bce_targets", N_BCE);
    const float *a = ref_get(ref, "a", N_AB), *b = ref_get(ref, "b", N_AB);
    const float *gx = ref_get(ref, "bce_dlogits", N_BCE), *gmse = ref_get(ref, "mse_da", N_AB),
                *gl1 = ref_get(ref, "l1_da", N_AB);
    float dx[N_BCE], want_x[N_BCE], dmse[N_AB], want_mse[N_AB], dl1[N_AB], want_l1[N_AB];
    for (int i = 0; i < N_BCE; i++) dx[i] = 0.5f, want_x[i] = 0.5f + 2 * gx[i];
    for (int i = 0; i < N_AB; i++) {
        dmse[i] = dl1[i] = 0.5f;
        want_mse[i] = 0.5f + 2 * gmse[i];
        want_l1[i] = 0.5f + 2 * gl1[i];
    }
    for (int k = 0; k < 2; k++) {
        bce_with_logits_backward(dx, x, y, dloss, N_BCE);
        mse_backward(dmse, a, b, dloss, N_AB);
        l1_backward(dl1, a, b, dloss, N_AB);
    }
    check_close("bce dlogits called twice", dx, want_x, N_BCE, 1e-6f, 1e-5f);
    check_close("mse da called twice", dmse, want_mse, N_AB, 1e-6f, 1e-5f);
    check_close("l1 da called twice", dl1, want_l1, N_AB, 1e-6f, 1e-5f);
    ref_close(ref);
}

// ---------------------------------------------------------------- finite differences

// f = dloss * loss(x, y): the quantity whose gradient the backward adds.
typedef struct {
    float (*loss)(const float *, const float *, int);
    const float *x, *y;
    float dloss;
    int n;
} FdCtx;

static double loss_value(void *p) {
    FdCtx *c = p;
    return (double)c->dloss * c->loss(c->x, c->y, c->n);
}

Test(losses, backward_matches_finite_differences) {
    RefFile *ref = ref_open("kernels_losses.bin");
    float dloss = ref_scalar(ref, "dloss");
    float x[N_BCE], a[N_AB];
    const float *xr = ref_get(ref, "bce_logits", N_BCE), *ar = ref_get(ref, "a", N_AB);
    const float *y = ref_get(ref, "bce_targets", N_BCE), *b = ref_get(ref, "b", N_AB);
    for (int i = 0; i < N_BCE; i++) x[i] = xr[i];
    for (int i = 0; i < N_AB; i++) a[i] = ar[i];

    float dx[N_BCE] = {0};
    bce_with_logits_backward(dx, x, y, dloss, N_BCE);
    FdCtx bce = {bce_with_logits_forward, x, y, dloss, N_BCE};
    check_grad_fd("bce dlogits", x, dx, N_BCE, loss_value, &bce, 1e-2f, 1e-4f, 1e-2f, N_BCE);

    float dmse[N_AB] = {0};
    mse_backward(dmse, a, b, dloss, N_AB);
    FdCtx mse = {mse_forward, a, b, dloss, N_AB};
    check_grad_fd("mse da", a, dmse, N_AB, loss_value, &mse, 1e-2f, 1e-4f, 1e-2f, N_AB);

    // L1 is piecewise linear: h = 1e-3 is below the smallest non-zero |a - b|
    // (0.015), so the difference is exact, and 0 where a == b like the gradient
    float dl1[N_AB] = {0};
    l1_backward(dl1, a, b, dloss, N_AB);
    FdCtx l1 = {l1_forward, a, b, dloss, N_AB};
    check_grad_fd("l1 da", a, dl1, N_AB, loss_value, &l1, 1e-3f, 1e-4f, 1e-2f, N_AB);
    ref_close(ref);
}
