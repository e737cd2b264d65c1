// test_tape.c - exercise 3.9: the backward walk. The graphs run on the
// library's kernels, so these tests need only 3.9; the reference is the
// library's own tape_backward (itself tested against PyTorch in
// tests/common), and the full W1 step against PyTorch is in test_w1.c.
#include "models/dcgan.h"
#include "l03_test.h"
#include "kernels/norm.h"
#include "tape_exercises.h"

TestSuite(l03_tape, .timeout = 30);

// A small DCGAN: z 8 -> 8x8 images, G 4 channels, D 2: every op of W1
// (linear, batch norm, views, transposed convolutions, convolutions, ReLU,
// LeakyReLU, tanh, BCE) and D used twice on one tape.
typedef struct {
    DcganConfig cfg;
    DcganG g;
    DcganD d;
    ParamSet ps;
    Tape tape;
    Rng rng;
} Small;

static void small_init(Small *s) {
    s->cfg = (DcganConfig){.z_dim = 8, .img_ch = 1, .img_size = 8, .g_ch = 4, .d_ch = 2};
    rng_seed(&s->rng, 7);
    paramset_init(&s->ps);
    dcgan_g_init(&s->g, &s->ps, "g", &s->cfg, &s->rng);
    dcgan_d_init(&s->d, &s->ps, "d", &s->cfg, &s->rng);
    tape_init(&s->tape);
}

static void small_free(Small *s) {
    tape_free(&s->tape);
    paramset_free(&s->ps);
}

// loss = BCE(D(real), 1) + BCE(D(G(z)), 0) + BCE(D(G(z)), 1): gradients
// reach every parameter of G and D, and D's parameters from three uses.
static Tensor *small_loss(Small *s) {
    Tape *tp = &s->tape;
    tape_reset(tp);
    rng_seed(&s->rng, 11);
    Tensor *z = tape_tensor(tp, 2, (int[]){4, 8}, 0);
    rng_fill_normal(&s->rng, z->data, (int)z->size, 0.0f, 1.0f);
    Tensor *real = tape_tensor(tp, 4, (int[]){4, 1, 8, 8}, 0);
    rng_fill_uniform(&s->rng, real->data, (int)real->size, -1.0f, 1.0f);
    Tensor *fake = dcgan_g_forward(&s->g, tp, z, 1);
    Tensor *lr = dcgan_d_forward(&s->d, tp, real, 1), *lf = dcgan_d_forward(&s->d, tp, fake, 1);
    Tensor *loss = tape_add(tp, tape_bce_with_logits(tp, lr, tape_full_like(tp, lr, 1.0f)),
                            tape_bce_with_logits(tp, lf, tape_full_like(tp, lf, 0.0f)));
    return tape_add(tp, loss, tape_bce_with_logits(tp, lf, tape_full_like(tp, lf, 1.0f)));
}

// The parameter gradients of `passes` backward walks over one recording.
static float *small_grads(Small *s, void (*backward)(Tape *, Tensor *), int passes) {
    paramset_zero_grad(&s->ps);
    Tensor *loss = small_loss(s);
    for (int i = 0; i < passes; i++) backward(&s->tape, loss);
    return copy_of(s->ps.grad, s->ps.size);
}

Test(l03_tape, matches_the_library_on_a_small_dcgan) {
    Small s;
    small_init(&s);
    float *want = small_grads(&s, tape_backward, 1);
    float *got = small_grads(&s, l03_tape_backward, 1);
    check_close("every parameter gradient of a small G and D: l03_tape_backward vs the "
                "library's tape_backward", got, want, s.ps.size, 1e-6f, 1e-5f);
    free(want), free(got);
    small_free(&s);
}

Test(l03_tape, a_tensor_used_twice_gets_both_gradients) {
    // y = tanh(x) + 3 x, loss = mean(y^2) against 0: x's gradient is the sum
    // of the two paths, 2 y (1 - tanh^2(x) + 3) / n.
    Tape tp;
    tape_init(&tp);
    Tensor *x = tape_tensor(&tp, 2, (int[]){2, 3}, 1);
    for (int i = 0; i < 6; i++) x->data[i] = -1.0f + 0.4f * i;
    Tensor *y = tape_add(&tp, tape_tanh(&tp, x), tape_scale(&tp, x, 3.0f));
    Tensor *loss = tape_mse(&tp, y, tape_full_like(&tp, y, 0.0f));
    l03_tape_backward(&tp, loss);
    float want[6];
    for (int i = 0; i < 6; i++) {
        float t = tanhf(x->data[i]), yi = t + 3.0f * x->data[i];
        want[i] = 2.0f * yi * (1.0f - t * t + 3.0f) / 6.0f;
    }
    check_close("d mean((tanh(x) + 3x)^2) / dx: both uses of x must add up", x->grad, want, 6,
                1e-6f, 1e-5f);
    tape_free(&tp);
}

Test(l03_tape, a_second_backward_adds_only_its_own_gradient) {
    Small s;
    small_init(&s);
    float *once = small_grads(&s, tape_backward, 1);
    float *twice = small_grads(&s, l03_tape_backward, 2);
    float *want = scaled(once, s.ps.size, 2.0f);
    check_close("two l03_tape_backward calls on one loss must give twice the gradient (clear "
                "each intermediate grad once passed on, never a view's)", twice, want,
                s.ps.size, 1e-6f, 1e-5f);
    free(once), free(twice), free(want);
    small_free(&s);
}

// Counts the convolution backward calls, then runs the library's.
static int conv_backward_calls;

static void counting_conv2d_backward(float *dinp, float *dweight, float *dbias, float *col,
                                     const float *dout, const float *inp, const float *weight,
                                     const ConvGeom *g) {
    conv_backward_calls++;
    conv2d_backward(dinp, dweight, dbias, col, dout, inp, weight, g);
}

Test(l03_tape, skips_what_the_loss_does_not_depend_on) {
    // Graph B is recorded first and graph A after it; backward from A's loss
    // must run A's convolution backward only and leave B's weight alone.
    tape_use_kernels(&(TapeKernels){
        .conv2d_forward = conv2d_forward, .conv2d_backward = counting_conv2d_backward,
        .conv_transpose2d_forward = conv_transpose2d_forward,
        .conv_transpose2d_backward = conv_transpose2d_backward,
        .batchnorm_forward_train = batchnorm_forward_train,
        .batchnorm_backward = batchnorm_backward});
    Tape tp;
    tape_init(&tp);
    Rng rng;
    rng_seed(&rng, 5);
    Tensor *w[2], *x[2], *out[2];
    for (int k = 0; k < 2; k++) {
        w[k] = tape_tensor(&tp, 4, (int[]){2, 1, 3, 3}, 1);
        x[k] = tape_tensor(&tp, 4, (int[]){1, 1, 5, 5}, 0);
        rng_fill_normal(&rng, w[k]->data, 18, 0.0f, 1.0f);
        rng_fill_normal(&rng, x[k]->data, 25, 0.0f, 1.0f);
    }
    out[1] = tape_conv2d(&tp, x[1], w[1], NULL, 1, 0);   // B
    out[0] = tape_conv2d(&tp, x[0], w[0], NULL, 1, 0);   // A
    Tensor *loss = tape_mse(&tp, out[0], tape_full_like(&tp, out[0], 0.0f));
    out[1]->grad[0] = 1.0f;   // a stale gradient on B must not travel either
    l03_tape_backward(&tp, loss);
    cr_assert_eq(conv_backward_calls, 1, "backward from A's loss ran %d convolution backward(s); "
                 "only A's is needed: skip the tensors the loss does not reach",
                 conv_backward_calls);
    float zeros[18] = {0};
    check_close("B's weight gradient after backward from A's loss", w[1]->grad, zeros, 18, 0.0f,
                0.0f);
    tape_free(&tp);
    tape_use_kernels(NULL);
}
