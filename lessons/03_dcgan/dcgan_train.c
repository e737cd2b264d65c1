// dcgan_train.c - W1 and its two training steps on the autograd tape.
//
// Compare with lesson 02's gan_exercises.c: there every backward was called by
// hand, in order, and D's input gradient was carried to G by you. Here each
// forward op records itself on the tape, and one call, l03_tape_backward
// (your exercise 3.9), runs every backward in reverse order.
#include "dcgan_train.h"

#include <math.h>
#include <string.h>

#include "bn_exercises.h"
#include "conv_exercises.h"
#include "tape_exercises.h"

// YOUR kernels (exercises 3.1-3.8), for this model's tape only: every other
// tape of the program (the FCD evaluator's) keeps the library's.
static const TapeKernels MY_KERNELS = {
    .conv2d_forward = l03_conv2d_forward,
    .conv2d_backward = l03_conv2d_backward,
    .conv_transpose2d_forward = l03_conv_transpose2d_forward,
    .conv_transpose2d_backward = l03_conv_transpose2d_backward,
    .batchnorm_forward_train = l03_batchnorm_forward_train,
    .batchnorm_backward = l03_batchnorm_backward,
};

int l03_dcgan_init(L03Dcgan *gan, float lr, Rng *rng, Error *err) {
    memset(gan, 0, sizeof *gan);
    if (!(lr > 0.0f && isfinite(lr)))
        return error_set(err, "dcgan: the learning rate must be a positive number, found %g",
                         lr);
    gan->cfg = dcgan_config_w1();
    paramset_init(&gan->ps_g);
    paramset_init(&gan->ps_d);
    dcgan_g_init(&gan->g, &gan->ps_g, "g", &gan->cfg, rng);
    dcgan_d_init(&gan->d, &gan->ps_d, "d", &gan->cfg, rng);
    optim_adam_init(&gan->opt_g, &gan->ps_g, lr, 0.5f, 0.999f, 1e-8f);
    optim_adam_init(&gan->opt_d, &gan->ps_d, lr, 0.5f, 0.999f, 1e-8f);
    tape_init(&gan->tape);
    tape_set_kernels(&gan->tape, &MY_KERNELS);
    gan->real_label = 1.0f;
    return 0;
}

void l03_dcgan_free(L03Dcgan *gan) {
    tape_free(&gan->tape);
    optim_free(&gan->opt_g);
    optim_free(&gan->opt_d);
    paramset_free(&gan->ps_g);
    paramset_free(&gan->ps_d);
}

// A leaf holding a copy of data, no gradient.
static Tensor *input(Tape *tp, const float *data, int ndim, const int *shape) {
    Tensor *t = tape_tensor(tp, ndim, shape, 0);
    memcpy(t->data, data, sizeof(float) * t->size);
    return t;
}

static float mean_sigmoid(const Tensor *logits) {
    double s = 0.0;
    for (long i = 0; i < logits->size; i++) s += 1.0 / (1.0 + exp(-logits->data[i]));
    return (float)(s / logits->size);
}

float l03_d_step(L03Dcgan *gan, float *d_real, float *d_fake, const float *real, const float *z,
                 int B) {
    Tape *tp = &gan->tape;
    tape_reset(tp);
    // G's output is data for D's update: nothing of G is recorded.
    int was = tape_set_no_grad(tp, 1);
    Tensor *fake = dcgan_g_forward(&gan->g, tp, input(tp, z, 2, (int[]){B, gan->cfg.z_dim}), 1);
    tape_set_no_grad(tp, was);

    // Two forward passes of D, so two batch-norm statistics (real, fake), as
    // in PyTorch's DCGAN; the tape adds both passes' gradients into D's.
    Tensor *logit_real = dcgan_d_forward(&gan->d, tp, input(tp, real, 4, fake->shape), 1);
    Tensor *logit_fake = dcgan_d_forward(&gan->d, tp, fake, 1);
    Tensor *real_target = tape_full_like(tp, logit_real, gan->real_label);
    Tensor *zeros = tape_full_like(tp, logit_fake, 0.0f);
    Tensor *loss = tape_add(tp, tape_bce_with_logits(tp, logit_real, real_target),
                            tape_bce_with_logits(tp, logit_fake, zeros));
    paramset_zero_grad(&gan->ps_d);
    l03_tape_backward(tp, loss);
    optim_step(&gan->opt_d, &gan->ps_d);
    *d_real = mean_sigmoid(logit_real);
    *d_fake = mean_sigmoid(logit_fake);
    return loss->data[0];
}

float l03_g_step(L03Dcgan *gan, const float *z, int B) {
    Tape *tp = &gan->tape;
    tape_reset(tp);
    // D judges, it does not learn: frozen, the tape skips its weight gradients
    // but still carries the gradient through D down to G's output.
    paramset_set_requires_grad(&gan->ps_d, 0);
    Tensor *fake = dcgan_g_forward(&gan->g, tp, input(tp, z, 2, (int[]){B, gan->cfg.z_dim}), 1);
    Tensor *logit = dcgan_d_forward(&gan->d, tp, fake, 1);
    Tensor *loss = tape_bce_with_logits(tp, logit, tape_full_like(tp, logit, 1.0f));
    paramset_zero_grad(&gan->ps_g);
    l03_tape_backward(tp, loss);
    paramset_set_requires_grad(&gan->ps_d, 1);
    optim_step(&gan->opt_g, &gan->ps_g);
    return loss->data[0];
}

void l03_generate(L03Dcgan *gan, float *imgs, const float *z, int n) {
    Tape *tp = &gan->tape;
    tape_reset(tp);
    int was = tape_set_no_grad(tp, 1);
    Tensor *fake = dcgan_g_forward(&gan->g, tp, input(tp, z, 2, (int[]){n, gan->cfg.z_dim}), 1);
    memcpy(imgs, fake->data, sizeof(float) * fake->size);
    tape_set_no_grad(tp, was);
}
