// test_misuse.c - the library's entry points that a student's code calls
// stop with a message (abort) on misuse, not with a segmentation fault:
// the grader then shows the message. Criterion sees the abort as SIGABRT.
#include <criterion/criterion.h>
#include <signal.h>

#include "kernels/gemm.h"
#include "nn/layers.h"
#include "kernels/linear.h"
#include "models/patchgan.h"
#include "autograd/tape.h"

TestSuite(misuse, .timeout = 10);

// BLIS alone would abort with "non-zero dimensions containing null buffer".
Test(misuse, gemm_with_a_null_operand, .signal = SIGABRT) {
    float c[4] = {0};
    gemm(0, 0, 2, 2, 2, 1.0f, NULL, 2, c, 2, 0.0f, c, 2);
}

// A forward pass that did not keep its input, then the backward pass.
Test(misuse, linear_backward_without_the_input, .signal = SIGABRT) {
    float dout[2] = {1, 1}, w[4] = {1, 2, 3, 4}, dw[4] = {0};
    linear_backward(NULL, dw, NULL, dout, NULL, w, 1, 2, 2);
}

// Dropout in evaluation mode, where the caller passes no rng.
Test(misuse, dropout_without_an_rng, .signal = SIGABRT) {
    Tape tp;
    tape_init(&tp);
    Tensor *x = tape_tensor(&tp, 2, (int[]){1, 4}, 0);
    tape_dropout(&tp, x, 0.5f, NULL);
}

// A norm on the PatchGAN's first layer, which has none.
Test(misuse, a_norm_the_network_does_not_have, .signal = SIGABRT) {
    PatchGanConfig cfg = {.in_ch = 3, .ndf = 2, .n_layers = 1, .norm = PATCHGAN_BATCHNORM};
    Rng rng;
    rng_seed(&rng, 1);
    ParamSet ps;
    paramset_init(&ps);
    PatchGan d;
    patchgan_init(&d, &ps, "d", &cfg, &rng);
    Tape tp;
    tape_init(&tp);
    Tensor *x = tape_tensor(&tp, 4, (int[]){2, 2, 4, 4}, 0);
    nn_batchnorm2d_forward(&tp, &d.bn[0], x, 1);
}

Test(misuse, an_instance_norm_the_network_does_not_have, .signal = SIGABRT) {
    PatchGanConfig cfg = {.in_ch = 3, .ndf = 2, .n_layers = 1, .norm = PATCHGAN_INSTANCENORM};
    Rng rng;
    rng_seed(&rng, 1);
    ParamSet ps;
    paramset_init(&ps);
    PatchGan d;
    patchgan_init(&d, &ps, "d", &cfg, &rng);
    Tape tp;
    tape_init(&tp);
    Tensor *x = tape_tensor(&tp, 4, (int[]){1, 2, 4, 4}, 0);
    nn_instancenorm2d_forward(&tp, &d.in[0], x);
}

// G's loss without D (the L1-alone case) handed a NULL logit map.
Test(misuse, a_loss_of_a_null_tensor, .signal = SIGABRT) {
    Tape tp;
    tape_init(&tp);
    Tensor *x = tape_tensor(&tp, 2, (int[]){1, 4}, 0);
    tape_bce_with_logits(&tp, NULL, x);
}
