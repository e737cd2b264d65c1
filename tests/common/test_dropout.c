// test_dropout.c - inverted dropout: the statistics of the mask, its values,
// reproducibility from the seed, and the backward (against PyTorch with a
// mask given as input, since PyTorch's RNG is not ours).
#include <criterion/criterion.h>
#include <math.h>
#include <stdlib.h>

#include "check.h"
#include "kernels/dropout.h"
#include "ref.h"
#include "util/rng.h"

enum { N_REF = 2 * 2 * 5 * 7 };   // the (B, C, H, W) tensor of gen_kernels.py, flat

TestSuite(dropout, .timeout = 30);

// With n = 200000 the fraction zeroed has standard deviation
// sqrt(p (1-p) / n) <= 0.0012, so 0.01 is over 8 standard deviations.
Test(dropout, zeroes_a_fraction_p_and_scales_survivors) {
    const int n = 200000;
    const float ps[] = {0.1f, 0.3f, 0.5f};
    float *x = malloc(sizeof(float) * n), *out = malloc(sizeof(float) * n),
          *mask = malloc(sizeof(float) * n);
    Rng rng;
    rng_seed(&rng, 3);
    rng_fill_normal(&rng, x, n, 0.0f, 1.0f);
    for (int k = 0; k < 3; k++) {
        float p = ps[k], scale = 1.0f / (1.0f - p);
        dropout_forward(out, mask, x, p, n, &rng);
        long zeros = 0;
        for (int i = 0; i < n; i++) {
            cr_assert(mask[i] == 0.0f || mask[i] == scale,
                      "p=%g: mask[%d] = %g, want 0 or 1/(1-p) = %g", p, i, mask[i], scale);
            cr_assert(out[i] == x[i] * mask[i], "p=%g: out[%d] = %g, want x * mask = %g", p, i,
                      out[i], x[i] * mask[i]);
            zeros += mask[i] == 0.0f;
        }
        double frac = (double)zeros / n;
        cr_assert(fabs(frac - p) < 0.01, "p=%g: %.4f of the elements were zeroed", p, frac);
    }
    free(x); free(out); free(mask);
}

// The survivors' scale keeps the mean: E[out] = E[x].
Test(dropout, keeps_the_mean) {
    const int n = 200000;
    float *x = malloc(sizeof(float) * n), *out = malloc(sizeof(float) * n),
          *mask = malloc(sizeof(float) * n);
    for (int i = 0; i < n; i++) x[i] = 1.0f;
    Rng rng;
    rng_seed(&rng, 4);
    dropout_forward(out, mask, x, 0.4f, n, &rng);
    double sum = 0.0;
    for (int i = 0; i < n; i++) sum += out[i];
    // std of the mean of n values 0 or 1/(1-p): sqrt(p/(1-p)/n) = 0.0018
    cr_assert(fabs(sum / n - 1.0) < 0.015, "mean after dropout %.4f, want 1", sum / n);
    free(x); free(out); free(mask);
}

Test(dropout, same_seed_same_mask) {
    const int n = 1000;
    float x[1000], out1[1000], out2[1000], m1[1000], m2[1000], m3[1000];
    for (int i = 0; i < n; i++) x[i] = (float)i;
    Rng rng;
    rng_seed(&rng, 42);
    dropout_forward(out1, m1, x, 0.5f, n, &rng);
    rng_seed(&rng, 42);
    dropout_forward(out2, m2, x, 0.5f, n, &rng);
    check_close("mask from the same seed", m2, m1, n, 0.0f, 0.0f);
    check_close("output from the same seed", out2, out1, n, 0.0f, 0.0f);
    rng_seed(&rng, 43);
    dropout_forward(out2, m3, x, 0.5f, n, &rng);
    int differ = 0;
    for (int i = 0; i < n; i++) differ += m3[i] != m1[i];
    cr_assert(differ > 100, "seeds 42 and 43 gave masks differing in only %d of %d places",
              differ, n);
}

Test(dropout, p_zero_is_identity_and_p_one_drops_all) {
    float x[8] = {1, -2, 3, -4, 5, -6, 7, -8}, out[8], mask[8];
    Rng rng;
    rng_seed(&rng, 1);
    dropout_forward(out, mask, x, 0.0f, 8, &rng);
    check_close("dropout with p = 0", out, x, 8, 0.0f, 0.0f);
    dropout_forward(out, mask, x, 1.0f, 8, &rng);
    for (int i = 0; i < 8; i++)
        cr_assert(out[i] == 0.0f && mask[i] == 0.0f,
                  "p = 1: out[%d] = %g, mask %g; want 0 and 0 (no NaN)", i, out[i], mask[i]);
}

Test(dropout, backward_matches_pytorch_and_accumulates) {
    RefFile *ref = ref_open("kernels_dropout.bin");
    const float *mask = ref_get(ref, "mask", N_REF), *dout = ref_get(ref, "dout", N_REF),
                *want = ref_get(ref, "dx", N_REF);
    float dx[N_REF] = {0}, acc[N_REF], want_acc[N_REF];
    dropout_backward(dx, mask, dout, N_REF);
    check_close("dropout dinp", dx, want, N_REF, 1e-6f, 1e-6f);
    // twice on a buffer pre-filled with 0.5: 0.5 + 2 * grad
    for (int i = 0; i < N_REF; i++) acc[i] = 0.5f, want_acc[i] = 0.5f + 2 * want[i];
    dropout_backward(acc, mask, dout, N_REF);
    dropout_backward(acc, mask, dout, N_REF);
    check_close("dropout dinp called twice", acc, want_acc, N_REF, 1e-6f, 1e-6f);
    ref_close(ref);
}

// f = sum(dropout(x) * probe) with the RNG re-seeded on every call, so the
// mask stays fixed while x moves.
typedef struct {
    const float *x, *probe;
    float p;
} FdCtx;

static double dropout_probe(void *ctx) {
    FdCtx *c = ctx;
    float out[N_REF], mask[N_REF];
    Rng rng;
    rng_seed(&rng, 9);
    dropout_forward(out, mask, c->x, c->p, N_REF, &rng);
    return dot_probe(out, c->probe, N_REF);
}

Test(dropout, backward_matches_finite_differences) {
    Rng rng;
    rng_seed(&rng, 5);
    float x[N_REF], probe[N_REF], out[N_REF], mask[N_REF], dx[N_REF] = {0};
    rng_fill_normal(&rng, x, N_REF, 0.0f, 1.0f);
    rng_fill_normal(&rng, probe, N_REF, 0.0f, 1.0f);
    FdCtx ctx = {x, probe, 0.3f};
    rng_seed(&rng, 9);
    dropout_forward(out, mask, x, ctx.p, N_REF, &rng);
    dropout_backward(dx, mask, probe, N_REF);
    check_grad_fd("dropout dinp", x, dx, N_REF, dropout_probe, &ctx, 1e-2f, 1e-3f, 1e-2f, N_REF);
}
