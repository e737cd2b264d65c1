// test_step.c - exercise 5.6: one pix2pix training step (a D update on real
// and detached fake pairs, then a G update through the updated, frozen D)
// against PyTorch (tests/ref/gen_lesson05.py, data/lesson05_step.bin): a U-Net
// ngf 1, depth 3, on 8x8 pairs, batch 2, and a PatchGAN ndf 2, 1 layer.
// The step runs on the library's networks and the reference losses
// (isolate_pix2pix_exercises.h): a mistake in 5.1-5.5 does not cost 5.6.
#include <stdlib.h>

#include "l05_test.h"

TestSuite(l05_step, .timeout = 30);

#define SB 2
#define SHW 8

static void build(L05Pix2pix *p, const RefFile *ref, L05Loss loss) {
    L05Config cfg = {
        .g = {.in_ch = 3, .out_ch = 3, .ngf = 1, .depth = 3, .n_dropout = 0, .dropout = 0.0f},
        .d = {.in_ch = 6, .ndf = 2, .n_layers = 1, .norm = PATCHGAN_BATCHNORM},
        .loss = loss, .lambda = ref_scalar(ref, "lambda"), .lr = ref_scalar(ref, "lr"),
        .beta1 = ref_scalar(ref, "beta1"), .beta2 = ref_scalar(ref, "beta2")};
    Rng rng;
    Error err = {0};
    rng_seed(&rng, 7);
    cr_assert_eq(l05_pix2pix_init(p, &cfg, &rng, &err), 0, "l05_pix2pix_init: %s", err.msg);
    l05_load_block(ref, "g_block", &p->ps_g);
    l05_load_block(ref, "d_block", &p->ps_d);
}

static void step(L05Pix2pix *p, const RefFile *ref, L05Stats *st) {
    l05_train_step_isolated(p, st, ref_get(ref, "x", SB * 3 * SHW * SHW),
                            ref_get(ref, "y", SB * 3 * SHW * SHW), SB, SHW, SHW);
}

static void expect_scalar(const RefFile *ref, const char *prefix, const char *key, float got,
                          const char *what) {
    char name[48];
    snprintf(name, sizeof name, "%s_%s", prefix, key);
    float want = ref_scalar(ref, name);
    check_close(what, &got, &want, 1, L05_ATOL, L05_RTOL);
}

static void expect_block(const RefFile *ref, const char *prefix, const char *key,
                         const float *got, long n, const char *what) {
    char name[48];
    snprintf(name, sizeof name, "%s_%s", prefix, key);
    check_close(what, got, ref_get(ref, name, n), n, L05_ATOL, L05_RTOL);
}

// The D update's numbers, D's gradients of L_D, D after Adam, D's running statistics.
static void expect_d_step(const RefFile *ref, const char *prefix, const L05Pix2pix *p,
                          const L05Stats *st) {
    expect_scalar(ref, prefix, "loss_d", st->loss_d, "loss_d");
    expect_scalar(ref, prefix, "d_real", st->d_real, "d_real: mean sigmoid(D(x, y))");
    expect_scalar(ref, prefix, "d_fake", st->d_fake, "d_fake: mean sigmoid(D(x, G(x)))");
    expect_block(ref, prefix, "d_grad", p->ps_d.grad, p->ps_d.size,
                 "D's gradients (of L_D only: D is frozen during the G update)");
    expect_block(ref, prefix, "d_after", p->ps_d.data, p->ps_d.size, "D after its Adam step");
    expect_block(ref, prefix, "d_buffers", p->ps_d.buf_data, p->ps_d.buf_size,
                 "D's running statistics (real, fake, then the G update's fake pass)");
}

static void expect_g_step(const RefFile *ref, const char *prefix, const L05Pix2pix *p,
                          const L05Stats *st) {
    expect_scalar(ref, prefix, "loss_g", st->loss_g, "loss_g (the total G minimised)");
    expect_scalar(ref, prefix, "g_l1", st->g_l1, "g_l1: mean |y - G(x)|");
    expect_block(ref, prefix, "g_grad", p->ps_g.grad, p->ps_g.size,
                 "G's gradients of L_G (through the UPDATED D)");
    expect_block(ref, prefix, "g_after", p->ps_g.data, p->ps_g.size, "G after its Adam step");
}

Test(l05_step, l1_plus_cgan_matches_pytorch) {
    RefFile *ref = ref_open("lesson05_step.bin");
    L05Pix2pix p;
    build(&p, ref, L05_LOSS_L1_CGAN);
    L05Stats st;
    step(&p, ref, &st);
    expect_d_step(ref, "l1cgan", &p, &st);
    expect_scalar(ref, "l1cgan", "g_gan", st.g_gan, "g_gan: BCE(D(x, G(x)), 1)");
    expect_g_step(ref, "l1cgan", &p, &st);
    l05_pix2pix_free(&p);
    ref_close(ref);
}

Test(l05_step, cgan_alone_matches_pytorch) {
    RefFile *ref = ref_open("lesson05_step.bin");
    L05Pix2pix p;
    build(&p, ref, L05_LOSS_CGAN);
    L05Stats st;
    step(&p, ref, &st);
    expect_d_step(ref, "cgan", &p, &st);
    expect_scalar(ref, "cgan", "g_gan", st.g_gan, "g_gan: BCE(D(x, G(x)), 1)");
    expect_g_step(ref, "cgan", &p, &st);
    l05_pix2pix_free(&p);
    ref_close(ref);
}

Test(l05_step, l1_alone_matches_pytorch_and_leaves_d_alone) {
    RefFile *ref = ref_open("lesson05_step.bin");
    L05Pix2pix p;
    build(&p, ref, L05_LOSS_L1);
    float *d_before = malloc(sizeof(float) * p.ps_d.size);
    float *buf_before = malloc(sizeof(float) * p.ps_d.buf_size);
    memcpy(d_before, p.ps_d.data, sizeof(float) * p.ps_d.size);
    memcpy(buf_before, p.ps_d.buf_data, sizeof(float) * p.ps_d.buf_size);
    L05Stats st;
    step(&p, ref, &st);
    expect_g_step(ref, "l1", &p, &st);
    cr_assert(memcmp(d_before, p.ps_d.data, sizeof(float) * p.ps_d.size) == 0,
              "--loss l1 changed D's weights: L1 alone has no discriminator");
    cr_assert(memcmp(buf_before, p.ps_d.buf_data, sizeof(float) * p.ps_d.buf_size) == 0,
              "--loss l1 ran D (its running statistics moved): L1 alone needs no D");
    cr_assert(st.loss_d == 0.0f && st.g_gan == 0.0f && st.d_real == 0.0f && st.d_fake == 0.0f,
              "--loss l1: loss_d, g_gan, d_real, d_fake must be 0 (got %g %g %g %g)", st.loss_d,
              st.g_gan, st.d_real, st.d_fake);
    free(d_before);
    free(buf_before);
    l05_pix2pix_free(&p);
    ref_close(ref);
}

Test(l05_step, zeroes_stale_gradients_and_unfreezes_d) {
    RefFile *ref = ref_open("lesson05_step.bin");
    L05Pix2pix p;
    build(&p, ref, L05_LOSS_L1_CGAN);
    for (long i = 0; i < p.ps_g.size; i++) p.ps_g.grad[i] = 5.0f;   // stale gradients
    for (long i = 0; i < p.ps_d.size; i++) p.ps_d.grad[i] = 5.0f;
    L05Stats st;
    step(&p, ref, &st);
    // zeroing before each update: stale gradients must not reach either optimiser
    expect_block(ref, "l1cgan", "d_after", p.ps_d.data, p.ps_d.size,
                 "D after its Adam step, starting from stale gradients (zero D's gradients)");
    expect_block(ref, "l1cgan", "g_after", p.ps_g.data, p.ps_g.size,
                 "G after its Adam step, starting from stale gradients (zero G's gradients)");
    for (int i = 0; i < p.ps_d.n_params; i++)
        cr_assert(p.ps_d.params[i]->requires_grad == 1,
                  "after the step D's parameter %s is still frozen: unfreeze D at the end",
                  p.ps_d.param_names[i]);
    l05_pix2pix_free(&p);
    ref_close(ref);
}
