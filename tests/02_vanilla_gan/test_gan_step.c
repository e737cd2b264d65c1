// test_gan_exercises.c - exercises 2.3 and 2.4: the discriminator and generator
// steps against PyTorch (tests/ref/gen_lesson02.py), their gradients against
// finite differences of the losses, and which network each step may change.
// The steps run on the reference MLP (isolate_gan_exercises.h): a mistake in 2.1
// or 2.2 does not cost 2.3 or 2.4.
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "gan.h"
#include "kernels/losses.h"
#include "mlp_ref.h"
#include "ref.h"

// The reference GAN: B = 6, Z = 3, X = 5.
// G: 3 -> 8 -> 5 (LeakyReLU, tanh); D: 5 -> 8 -> 8 -> 1 (LeakyReLU, logit).
enum { B = 6, Z = 3, X = 5 };
#define REF_FILE "lesson02_gan.bin"

// float32 steps against float64 references
#define ATOL 1e-5f
#define RTOL 1e-4f

TestSuite(l02_gan, .timeout = 30);

// The student's l02_d_step and l02_g_step, calling mlp_ref_forward/_backward.
float l02_d_step_isolated(L02Gan *gan, float *d_real, float *d_fake, const float *real,
                          const float *z, int B);
float l02_g_step_isolated(L02Gan *gan, const float *z, int B);

// Builds the reference GAN with its weights; lr < 0 takes the reference's lr.
static void build_ref_gan(L02Gan *gan, const RefFile *ref, float lr) {
    L02GanSpec spec = {
        .g_sizes = {Z, 8, X}, .g_layers = 2, .g_hidden = L02_ACT_LEAKY_RELU, .g_out = L02_ACT_TANH,
        .d_sizes = {X, 8, 8, 1}, .d_layers = 3, .d_hidden = L02_ACT_LEAKY_RELU,
        .max_batch = B,
        .lr = lr < 0 ? ref_scalar(ref, "lr") : lr,
        .beta1 = ref_scalar(ref, "beta1"), .beta2 = ref_scalar(ref, "beta2"),
    };
    Rng rng;
    rng_seed(&rng, 3);
    Error err;
    cr_assert(l02_gan_init(gan, &spec, &rng, &err) == 0, "l02_gan_init: %s", err.msg);
    mlp_ref_block(gan->g.ps.data, ref, "g_", &gan->g);
    mlp_ref_block(gan->d.ps.data, ref, "d_", &gan->d);
}

// What earlier steps leave behind: non-zero gradients in both networks and
// in the scratch buffers. A step must zero what it accumulates into.
static void dirty(L02Gan *gan) {
    for (long i = 0; i < gan->g.ps.size; i++) gan->g.ps.grad[i] = 0.5f;
    for (long i = 0; i < gan->d.ps.size; i++) gan->d.ps.grad[i] = 0.5f;
    for (int i = 0; i < gan->max_batch; i++) gan->dlogit[i] = 0.5f;
    for (long i = 0; i < (long)gan->max_batch * X; i++) gan->dfake[i] = 0.5f;
}

static void check_block(const char *what, const L02Mlp *m, const float *got, const RefFile *ref,
                        const char *prefix) {
    float *want = malloc(sizeof(float) * m->ps.size);
    mlp_ref_block(want, ref, prefix, m);
    check_close(what, got, want, m->ps.size, ATOL, RTOL);
    free(want);
}

static float *copy_of(const float *x, long n) {
    float *c = malloc(sizeof(float) * n);
    memcpy(c, x, sizeof(float) * n);
    return c;
}

// ---------------------------------------------------------------- the D step (2.3)

Test(l02_gan, d_step_matches_pytorch) {
    RefFile *ref = ref_open(REF_FILE);
    L02Gan gan;
    build_ref_gan(&gan, ref, -1.0f);
    dirty(&gan);
    float d_real = -1.0f, d_fake = -1.0f;
    float loss = l02_d_step_isolated(&gan, &d_real, &d_fake, ref_get(ref, "real", B * X),
                            ref_get(ref, "z_d", B * Z), B);
    float want_loss = ref_scalar(ref, "loss_d");
    check_close("loss_D", &loss, &want_loss, 1, ATOL, RTOL);
    float want_real = ref_scalar(ref, "d_real"), want_fake = ref_scalar(ref, "d_fake");
    check_close("mean D(real)", &d_real, &want_real, 1, ATOL, RTOL);
    check_close("mean D(G(z))", &d_fake, &want_fake, 1, ATOL, RTOL);
    check_block("D's gradients after the D step", &gan.d, gan.d.ps.grad, ref, "dstep_dd_");
    check_block("D's parameters after the D step's Adam update", &gan.d, gan.d.ps.data, ref,
                "dstep_d_");
    l02_gan_free(&gan);
    ref_close(ref);
}

Test(l02_gan, d_step_leaves_g_untouched) {
    RefFile *ref = ref_open(REF_FILE);
    L02Gan gan;
    build_ref_gan(&gan, ref, -1.0f);
    // a recognisable pattern in G's gradients: the D step must not write there
    for (long i = 0; i < gan.g.ps.size; i++) gan.g.ps.grad[i] = 0.25f * (float)(i % 7);
    float *g_params = copy_of(gan.g.ps.data, gan.g.ps.size);
    float *g_grads = copy_of(gan.g.ps.grad, gan.g.ps.size);
    float *d_params = copy_of(gan.d.ps.data, gan.d.ps.size);
    float d_real, d_fake;
    l02_d_step_isolated(&gan, &d_real, &d_fake, ref_get(ref, "real", B * X),
                        ref_get(ref, "z_d", B * Z), B);
    cr_assert(memcmp(g_params, gan.g.ps.data, sizeof(float) * gan.g.ps.size) == 0,
              "the D step changed G's parameters: G's output is data for D, G must not move");
    cr_assert(memcmp(g_grads, gan.g.ps.grad, sizeof(float) * gan.g.ps.size) == 0,
              "the D step wrote into G's gradients: no backward through G in the D step "
              "(G's output is detached)");
    cr_assert(memcmp(d_params, gan.d.ps.data, sizeof(float) * gan.d.ps.size) != 0,
              "the D step left D's parameters unchanged: call l02_update_d at its end");
    free(g_params); free(g_grads); free(d_params);
    l02_gan_free(&gan);
    ref_close(ref);
}

typedef struct {
    L02Gan *gan;
    const float *real, *z;
} LossCtx;

// loss_D from forward passes only
static double loss_d_only(void *p) {
    LossCtx *c = p;
    L02Gan *gan = c->gan;
    const float *fake = mlp_ref_forward(&gan->g, c->z, B);
    double loss = bce_with_logits_forward(mlp_ref_forward(&gan->d, c->real, B), gan->ones, B);
    return loss + bce_with_logits_forward(mlp_ref_forward(&gan->d, fake, B), gan->zeros, B);
}

// loss_G from forward passes only
static double loss_g_only(void *p) {
    LossCtx *c = p;
    L02Gan *gan = c->gan;
    const float *fake = mlp_ref_forward(&gan->g, c->z, B);
    return bce_with_logits_forward(mlp_ref_forward(&gan->d, fake, B), gan->ones, B);
}

// With lr = 0 the step leaves the weights where they were, and the gradients
// it computed stay in D's grads block: they must be d loss_D / d (D's params).
Test(l02_gan, d_step_gradient_matches_finite_differences) {
    RefFile *ref = ref_open(REF_FILE);
    L02Gan gan;
    build_ref_gan(&gan, ref, 0.0f);
    LossCtx ctx = {&gan, ref_get(ref, "real", B * X), ref_get(ref, "z_d", B * Z)};
    float d_real, d_fake;
    l02_d_step_isolated(&gan, &d_real, &d_fake, ctx.real, ctx.z, B);
    float *grads = copy_of(gan.d.ps.grad, gan.d.ps.size);
    check_grad_fd("d loss_D / d (D's parameters)", gan.d.ps.data, grads, gan.d.ps.size,
                  loss_d_only, &ctx, 1e-3f, 2e-3f, 2e-2f, 300);
    free(grads);
    l02_gan_free(&gan);
    ref_close(ref);
}

// ---------------------------------------------------------------- the G step (2.4)

Test(l02_gan, g_step_matches_pytorch) {
    RefFile *ref = ref_open(REF_FILE);
    L02Gan gan;
    build_ref_gan(&gan, ref, -1.0f);
    dirty(&gan);
    float loss = l02_g_step_isolated(&gan, ref_get(ref, "z_g", B * Z), B);
    float want_loss = ref_scalar(ref, "loss_g");
    check_close("loss_G", &loss, &want_loss, 1, ATOL, RTOL);
    check_block("G's gradients after the G step", &gan.g, gan.g.ps.grad, ref, "gstep_dg_");
    check_block("G's parameters after the G step's Adam update", &gan.g, gan.g.ps.data, ref,
                "gstep_g_");
    l02_gan_free(&gan);
    ref_close(ref);
}

// A D step first, so that D's Adam moments are not zero: then even an update
// of D from zeroed gradients would move D's weights and be caught.
Test(l02_gan, g_step_leaves_d_unchanged) {
    RefFile *ref = ref_open(REF_FILE);
    L02Gan gan;
    build_ref_gan(&gan, ref, -1.0f);
    float d_real, d_fake;
    l02_d_step_isolated(&gan, &d_real, &d_fake, ref_get(ref, "real", B * X),
                        ref_get(ref, "z_d", B * Z), B);
    float *d_params = copy_of(gan.d.ps.data, gan.d.ps.size);
    float *g_params = copy_of(gan.g.ps.data, gan.g.ps.size);
    l02_g_step_isolated(&gan, ref_get(ref, "z_g", B * Z), B);
    cr_assert(memcmp(d_params, gan.d.ps.data, sizeof(float) * gan.d.ps.size) == 0,
              "the G step changed D's parameters: in the G step D only passes the gradient "
              "back to G; do not update D there");
    cr_assert(memcmp(g_params, gan.g.ps.data, sizeof(float) * gan.g.ps.size) != 0,
              "the G step left G's parameters unchanged: call l02_update_g at its end");
    free(d_params); free(g_params);
    l02_gan_free(&gan);
    ref_close(ref);
}

// The whole chain loss_G -> D -> G's output -> G's parameters at once.
Test(l02_gan, g_step_gradient_matches_finite_differences) {
    RefFile *ref = ref_open(REF_FILE);
    L02Gan gan;
    build_ref_gan(&gan, ref, 0.0f);
    LossCtx ctx = {&gan, NULL, ref_get(ref, "z_g", B * Z)};
    l02_g_step_isolated(&gan, ctx.z, B);
    float *grads = copy_of(gan.g.ps.grad, gan.g.ps.size);
    check_grad_fd("d loss_G / d (G's parameters)", gan.g.ps.data, grads, gan.g.ps.size,
                  loss_g_only, &ctx, 1e-3f, 2e-3f, 2e-2f, 300);
    free(grads);
    l02_gan_free(&gan);
    ref_close(ref);
}
