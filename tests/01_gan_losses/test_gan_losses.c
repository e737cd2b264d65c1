// test_losses_exercises.c - exercises 1.3 to 1.8: the discriminator's loss and the
// generator's saturating and non-saturating losses, with their gradients.
// Besides PyTorch and finite differences, some tests set up a situation whose
// answer is known (a confident discriminator, a discriminator that rejects
// every fake) so that the classic mistakes fail with a message naming them.
// The losses run with the reference BCE wherever they call l01_bce_forward
// or l01_bce_backward (isolate_losses_exercises.h): 1.1 and 1.2 are charged for
// their own mistakes only.
#include <criterion/criterion.h>
#include <math.h>

#include "losses.h"
#include "l01_ref.h"
#include "l01_test.h"
#include "ref.h"

#define N 16   // the batch in lesson01_gan.bin

TestSuite(l01_d_loss, .timeout = 10);
TestSuite(l01_g_loss_saturating, .timeout = 10);
TestSuite(l01_g_loss, .timeout = 10);

// The logits of lesson01_gan.bin, copied so finite differences can perturb them.
typedef struct { float real[N], fake[N]; float dloss; } GanCtx;

static RefFile *load(GanCtx *c) {
    RefFile *ref = ref_open("lesson01_gan.bin");
    const float *r = ref_get(ref, "real", N), *f = ref_get(ref, "fake", N);
    for (int i = 0; i < N; i++) c->real[i] = r[i], c->fake[i] = f[i];
    c->dloss = 1.0f;
    return ref;
}

static void expect_scalar(const char *what, float got, float want) {
    cr_assert(isfinite(got), "%s = %g: must be finite", what, got);
    check_close(what, &got, &want, 1, 1e-6f, 1e-5f);
}

// ---------------------------------------------------------------- 1.3 L^D

Test(l01_d_loss, forward_matches_pytorch) {
    GanCtx c;
    RefFile *ref = load(&c);
    expect_scalar("l01_d_loss_forward(real, fake)", l01_d_loss_forward_isolated(c.real, c.fake, N),
                  ref_scalar(ref, "d_loss"));
    ref_close(ref);
}

Test(l01_d_loss, forward_confident_discriminator) {
    // D says "real" (logit +6) to every real image and "fake" (-6) to every
    // fake: it is right, so its loss is small, 2 softplus(-6) = 0.00495.
    // Swapping the arguments or the labels 1/0 gives 2 softplus(6) = 12.005.
    float pos[4] = {6, 6, 6, 6}, neg[4] = {-6, -6, -6, -6}, two[4] = {2, 2, 2, 2};
    float got = l01_d_loss_forward_isolated(pos, neg, 4);
    cr_assert(fabsf(got - 0.0049514f) < 1e-5f,
              "a discriminator right about everything (real logits +6, fake -6) has L^D = "
              "0.00495, got %g: are real/fake or the labels 1/0 swapped?", got);
    // D right on reals but fooled by the fakes (logit +2): softplus(-6) +
    // softplus(2) = 2.1294. Only the fake term has label 0; a loss that gives
    // both terms the same label gets 0.127 + 0.0025 or 6.0025 + 2.127.
    got = l01_d_loss_forward_isolated(pos, two, 4);
    cr_assert(fabsf(got - 2.1294037f) < 1e-5f,
              "real logits +6, fake logits +2: L^D = softplus(-6) + softplus(2) = 2.1294, got "
              "%g: real images take label 1, fakes label 0", got);
}

Test(l01_d_loss, forward_stable_at_huge_logits) {
    // D is certain and wrong on one pair: -log D(x) = 100 with D(x) = sigmoid(-100).
    float r[2] = {-100.0f, 1e30f}, f[2] = {-1e30f, 100.0f};
    float got = l01_d_loss_forward_isolated(r, f, 2);
    expect_scalar("l01_d_loss_forward(real {-100, 1e30}, fake {-1e30, 100})", got, 100.0f);
}

// ---------------------------------------------------------------- 1.4 dL^D

Test(l01_d_loss, backward_matches_pytorch) {
    GanCtx c;
    RefFile *ref = load(&c);
    float dr[N] = {0}, df[N] = {0};
    l01_d_loss_backward_isolated(dr, df, c.real, c.fake, 1.0f, N);
    check_close("l01_d_loss_backward: dreal", dr, ref_get(ref, "d_dreal", N), N, 1e-7f, 1e-5f);
    check_close("l01_d_loss_backward: dfake", df, ref_get(ref, "d_dfake", N), N, 1e-7f, 1e-5f);
    ref_close(ref);
}

static double d_scalar(void *p) {
    GanCtx *c = p;
    return c->dloss * (l01_bce_mean(c->real, 1.0, N) + l01_bce_mean(c->fake, 0.0, N));
}

Test(l01_d_loss, backward_finite_differences) {
    GanCtx c;
    RefFile *ref = load(&c);
    c.dloss = 0.7f;
    float dr[N] = {0}, df[N] = {0};
    l01_d_loss_backward_isolated(dr, df, c.real, c.fake, c.dloss, N);
    check_grad_fd("l01_d_loss_backward: dreal", c.real, dr, N, d_scalar, &c, 1e-2f, 1e-5f,
                  1e-2f, N);
    check_grad_fd("l01_d_loss_backward: dfake", c.fake, df, N, d_scalar, &c, 1e-2f, 1e-5f,
                  1e-2f, N);
    ref_close(ref);
}

Test(l01_d_loss, backward_signs_and_accumulation) {
    GanCtx c;
    RefFile *ref = load(&c);
    float dr[N], df[N];
    for (int i = 0; i < N; i++) dr[i] = df[i] = -0.5f;
    l01_d_loss_backward_isolated(dr, df, c.real, c.fake, 3.0f, N);
    // gradient DEScent must raise D's logits on real images and lower them on fakes
    for (int i = 0; i < N; i++) {
        cr_assert(dr[i] + 0.5f < 0.0f, "dreal[%d] = %g: dL^D/d(real logit) = (sigmoid - 1)/n "
                  "is negative, so that descent pushes D(x) up", i, dr[i] + 0.5f);
        cr_assert(df[i] + 0.5f > 0.0f, "dfake[%d] = %g: dL^D/d(fake logit) = sigmoid/n is "
                  "positive, so that descent pushes D(G(z)) down", i, df[i] + 0.5f);
    }
    l01_expect_accumulated("l01_d_loss_backward: dreal into -0.5, dloss 3 (+= and dloss)", dr,
                           ref_get(ref, "d_dreal", N), -0.5f, 3.0f, N);
    l01_expect_accumulated("l01_d_loss_backward: dfake into -0.5, dloss 3 (+= and dloss)", df,
                           ref_get(ref, "d_dfake", N), -0.5f, 3.0f, N);
    ref_close(ref);
}

// ---------------------------------------------------------------- 1.5, 1.6 saturating L^G

Test(l01_g_loss_saturating, forward_matches_pytorch) {
    GanCtx c;
    RefFile *ref = load(&c);
    float got = l01_g_loss_saturating_forward_isolated(c.fake, N);
    cr_assert(got < 0.0f, "E[log(1 - D(G(z)))] is a mean of logs of probabilities, so it is "
              "negative; got %g (did you write -log D(G(z)), the non-saturating loss?)", got);
    expect_scalar("l01_g_loss_saturating_forward(fake)", got, ref_scalar(ref, "g_sat_loss"));
    ref_close(ref);
}

Test(l01_g_loss_saturating, forward_stable_at_huge_logits) {
    // log(1 - sigmoid(a)) = -softplus(a): -100 at a = 100, 0 at a = -1e30
    float f[2] = {100.0f, -1e30f};
    expect_scalar("l01_g_loss_saturating_forward(fake {100, -1e30})",
                  l01_g_loss_saturating_forward_isolated(f, 2), -50.0f);
}

Test(l01_g_loss_saturating, backward_matches_pytorch) {
    GanCtx c;
    RefFile *ref = load(&c);
    float df[N] = {0};
    l01_g_loss_saturating_backward_isolated(df, c.fake, 1.0f, N);
    check_close("l01_g_loss_saturating_backward", df, ref_get(ref, "g_sat_dfake", N), N, 1e-7f,
                1e-5f);
    ref_close(ref);
}

static double g_sat_scalar(void *p) {
    GanCtx *c = p;
    return -c->dloss * l01_bce_mean(c->fake, 0.0, N);
}

Test(l01_g_loss_saturating, backward_finite_differences) {
    GanCtx c;
    RefFile *ref = load(&c);
    c.dloss = 1.3f;
    float df[N] = {0};
    l01_g_loss_saturating_backward_isolated(df, c.fake, c.dloss, N);
    check_grad_fd("l01_g_loss_saturating_backward", c.fake, df, N, g_sat_scalar, &c, 1e-2f,
                  1e-5f, 1e-2f, N);
    ref_close(ref);
}

Test(l01_g_loss_saturating, backward_vanishes_when_d_rejects_fakes) {
    // Early in training D rejects every fake (logit -8, D(G(z)) = 0.00034).
    // The saturating loss then gives G almost nothing: -sigmoid(-8)/n.
    float f[4] = {-8, -8, -8, -8}, df[4] = {0};
    l01_g_loss_saturating_backward_isolated(df, f, 1.0f, 4);
    for (int i = 0; i < 4; i++)
        cr_assert(df[i] < 0.0f && df[i] > -1e-4f,
                  "saturating loss at fake logit -8: dL/dlogit = -sigmoid(-8)/4 = -8.4e-5, got "
                  "%g (about -0.25 is the non-saturating loss's gradient)", df[i]);
}

// ---------------------------------------------------------------- 1.7, 1.8 non-saturating L^G

Test(l01_g_loss, forward_matches_pytorch) {
    GanCtx c;
    RefFile *ref = load(&c);
    float got = l01_g_loss_forward_isolated(c.fake, N);
    cr_assert(got > 0.0f, "-E[log D(G(z))] is positive; got %g (did you write "
              "E[log(1 - D(G(z)))], the saturating loss?)", got);
    expect_scalar("l01_g_loss_forward(fake)", got, ref_scalar(ref, "g_loss"));
    ref_close(ref);
}

Test(l01_g_loss, forward_stable_at_huge_logits) {
    // -log sigmoid(a) = softplus(-a): 100 at a = -100, 0 at a = 1e30
    float f[2] = {-100.0f, 1e30f};
    expect_scalar("l01_g_loss_forward(fake {-100, 1e30})", l01_g_loss_forward_isolated(f, 2),
                  50.0f);
}

Test(l01_g_loss, backward_matches_pytorch) {
    GanCtx c;
    RefFile *ref = load(&c);
    float df[N] = {0};
    l01_g_loss_backward_isolated(df, c.fake, 1.0f, N);
    check_close("l01_g_loss_backward", df, ref_get(ref, "g_dfake", N), N, 1e-7f, 1e-5f);
    ref_close(ref);
}

static double g_scalar(void *p) {
    GanCtx *c = p;
    return c->dloss * l01_bce_mean(c->fake, 1.0, N);
}

Test(l01_g_loss, backward_finite_differences) {
    GanCtx c;
    RefFile *ref = load(&c);
    c.dloss = 1.3f;
    float df[N] = {0};
    l01_g_loss_backward_isolated(df, c.fake, c.dloss, N);
    check_grad_fd("l01_g_loss_backward", c.fake, df, N, g_scalar, &c, 1e-2f, 1e-5f, 1e-2f, N);
    ref_close(ref);
}

Test(l01_g_loss, backward_strong_when_d_rejects_fakes) {
    // Same situation as the saturating test: D rejects every fake. The
    // non-saturating loss pushes hard: (sigmoid(-8) - 1)/4 = -0.24992.
    float f[4] = {-8, -8, -8, -8}, df[4] = {0};
    l01_g_loss_backward_isolated(df, f, 1.0f, 4);
    for (int i = 0; i < 4; i++)
        cr_assert(fabsf(df[i] + 0.2499162f) < 1e-5f,
                  "non-saturating loss at fake logit -8: dL/dlogit = (sigmoid(-8) - 1)/4 = "
                  "-0.24992, got %g (a tiny value means the saturating loss; a positive one, "
                  "a sign error)", df[i]);
}
