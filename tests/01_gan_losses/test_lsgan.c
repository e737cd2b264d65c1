// test_lsgan.c - exercises 1.9 to 1.12: the least-squares GAN losses on raw
// discriminator scores (no sigmoid), with the 1/2 convention:
//   L^D = 1/2 E[(D(x) - 1)^2] + 1/2 E[D(G(z))^2],   L^G = 1/2 E[(D(G(z)) - 1)^2]
#include <criterion/criterion.h>
#include <math.h>

#include "losses.h"
#include "l01_ref.h"
#include "l01_test.h"
#include "ref.h"

#define N 16   // the batch in lesson01_lsgan.bin

TestSuite(l01_lsgan, .timeout = 10);

typedef struct { float real[N], fake[N]; float dloss; } LsCtx;

static RefFile *load(LsCtx *c) {
    RefFile *ref = ref_open("lesson01_lsgan.bin");
    const float *r = ref_get(ref, "real", N), *f = ref_get(ref, "fake", N);
    for (int i = 0; i < N; i++) c->real[i] = r[i], c->fake[i] = f[i];
    c->dloss = 1.0f;
    return ref;
}

// ---------------------------------------------------------------- 1.9, 1.10

Test(l01_lsgan, d_forward_matches_pytorch) {
    LsCtx c;
    RefFile *ref = load(&c);
    float got = l01_lsgan_d_loss_forward_isolated(c.real, c.fake, N);
    float want = ref_scalar(ref, "d_loss");
    check_close("l01_lsgan_d_loss_forward(real, fake)", &got, &want, 1, 1e-6f, 1e-5f);
    // A perfect least-squares D scores reals 1 and fakes 0: loss exactly 0;
    // swapped arguments or targets give 1.
    float ones[3] = {1, 1, 1}, zeros[3] = {0, 0, 0};
    got = l01_lsgan_d_loss_forward_isolated(ones, zeros, 3);
    cr_assert(fabsf(got) < 1e-7f, "l01_lsgan_d_loss_forward(real scores 1, fake scores 0) must "
              "be 0 (targets: 1 for real, 0 for fake), got %g", got);
    ref_close(ref);
}

Test(l01_lsgan, d_backward_matches_pytorch) {
    LsCtx c;
    RefFile *ref = load(&c);
    float dr[N], df[N];
    for (int i = 0; i < N; i++) dr[i] = df[i] = 0.5f;
    l01_lsgan_d_loss_backward_isolated(dr, df, c.real, c.fake, 2.0f, N);
    l01_expect_accumulated("l01_lsgan_d_loss_backward: dreal into 0.5, dloss 2 (+= and dloss)", dr,
                           ref_get(ref, "d_dreal", N), 0.5f, 2.0f, N);
    l01_expect_accumulated("l01_lsgan_d_loss_backward: dfake into 0.5, dloss 2 (+= and dloss)", df,
                           ref_get(ref, "d_dfake", N), 0.5f, 2.0f, N);
    ref_close(ref);
}

static double ls_d_scalar(void *p) {
    LsCtx *c = p;
    return c->dloss * 0.5 * (l01_sq_mean(c->real, 1.0, N) + l01_sq_mean(c->fake, 0.0, N));
}

Test(l01_lsgan, d_backward_finite_differences) {
    LsCtx c;
    RefFile *ref = load(&c);
    c.dloss = 0.8f;
    float dr[N] = {0}, df[N] = {0};
    l01_lsgan_d_loss_backward_isolated(dr, df, c.real, c.fake, c.dloss, N);
    check_grad_fd("l01_lsgan_d_loss_backward: dreal", c.real, dr, N, ls_d_scalar, &c, 1e-2f, 1e-5f,
                  1e-2f, N);
    check_grad_fd("l01_lsgan_d_loss_backward: dfake", c.fake, df, N, ls_d_scalar, &c, 1e-2f, 1e-5f,
                  1e-2f, N);
    ref_close(ref);
}

// ---------------------------------------------------------------- 1.11, 1.12

Test(l01_lsgan, g_forward_matches_pytorch) {
    LsCtx c;
    RefFile *ref = load(&c);
    float got = l01_lsgan_g_loss_forward_isolated(c.fake, N), want = ref_scalar(ref, "g_loss");
    check_close("l01_lsgan_g_loss_forward(fake)", &got, &want, 1, 1e-6f, 1e-5f);
    ref_close(ref);
}

Test(l01_lsgan, g_backward_matches_pytorch) {
    LsCtx c;
    RefFile *ref = load(&c);
    float df[N];
    for (int i = 0; i < N; i++) df[i] = 0.5f;
    l01_lsgan_g_loss_backward_isolated(df, c.fake, 2.0f, N);
    l01_expect_accumulated("l01_lsgan_g_loss_backward into 0.5, dloss 2 (+= and dloss)", df,
                           ref_get(ref, "g_dfake", N), 0.5f, 2.0f, N);
    ref_close(ref);
}

static double ls_g_scalar(void *p) {
    LsCtx *c = p;
    return c->dloss * 0.5 * l01_sq_mean(c->fake, 1.0, N);
}

Test(l01_lsgan, g_backward_finite_differences) {
    LsCtx c;
    RefFile *ref = load(&c);
    c.dloss = 0.8f;
    float df[N] = {0};
    l01_lsgan_g_loss_backward_isolated(df, c.fake, c.dloss, N);
    check_grad_fd("l01_lsgan_g_loss_backward", c.fake, df, N, ls_g_scalar, &c, 1e-2f, 1e-5f, 1e-2f,
                  N);
    ref_close(ref);
}
