// test_nets.c - exercises 5.1 and 5.2: the U-Net (and the encoder-decoder)
// and the PatchGAN, against PyTorch (tests/ref/gen_lesson05.py); and the
// parameter counts of lesson 05's networks (ungraded: the library's).
#include <stdlib.h>
#include <string.h>

#include "l05_test.h"

TestSuite(l05_unet, .timeout = 30);
TestSuite(l05_patchgan, .timeout = 30);
TestSuite(l05_params, .timeout = 30);

// The reference U-Net: ngf 2, depth 3, 8x8, batch 2, no dropout.
static UNetConfig small_unet(int no_skips) {
    return (UNetConfig){.in_ch = 3, .out_ch = 3, .ngf = 2, .depth = 3, .n_dropout = 2,
                        .dropout = 0.0f, .no_skips = no_skips};
}

// Training-mode forward and backward of sum(y * probe), then (eval != 0) the
// evaluation-mode output, against the reference tensors <prefix>...
static void unet_case(const char *prefix, int no_skips, int eval) {
    RefFile *ref = ref_open("lesson05_unet.bin");
    UNetConfig cfg = small_unet(no_skips);
    Rng rng;
    rng_seed(&rng, 1);
    ParamSet ps;
    paramset_init(&ps);
    UNet u;
    unet_init(&u, &ps, "g", &cfg, &rng);
    char name[48], what[96];
    snprintf(name, sizeof name, "%sblock", prefix);
    l05_load_block(ref, name, &ps);
    Tape tp;
    tape_init(&tp);
    Tensor *x = l05_input(&tp, ref, "x", 2, 3, 8, 8);
    Tensor *y = l05_unet_forward(&u, &tp, x, 1, &rng);
    snprintf(what, sizeof what, "%s l05_unet_forward output (training mode)", prefix);
    l05_expect_shape(what, y, 2, 3, 8, 8);
    snprintf(name, sizeof name, "%sy", prefix);
    check_close(what, y->data, ref_get(ref, name, y->size), y->size, L05_ATOL, L05_RTOL);
    snprintf(name, sizeof name, "%sprobe", prefix);
    tape_backward(&tp, l05_probe_loss(&tp, y, ref, name));
    snprintf(name, sizeof name, "%sgrad", prefix);
    snprintf(what, sizeof what, "%s gradients of every parameter (ParamSet order)", prefix);
    check_close(what, ps.grad, ref_get(ref, name, ps.size), ps.size, L05_ATOL, L05_RTOL);
    snprintf(name, sizeof name, "%sdx", prefix);
    snprintf(what, sizeof what, "%s gradient of the input", prefix);
    check_close(what, x->grad, ref_get(ref, name, x->size), x->size, L05_ATOL, L05_RTOL);
    if (eval) {
        snprintf(name, sizeof name, "%sbuffers", prefix);
        check_close("running statistics after the training pass", ps.buf_data,
                    ref_get(ref, name, ps.buf_size), ps.buf_size, L05_ATOL, L05_RTOL);
        tape_set_no_grad(&tp, 1);
        Tensor *ye = l05_unet_forward(&u, &tp, x, 0, NULL);
        snprintf(name, sizeof name, "%sy_eval", prefix);
        snprintf(what, sizeof what, "%s output in evaluation mode (running statistics)", prefix);
        check_close(what, ye->data, ref_get(ref, name, ye->size), ye->size, L05_ATOL, L05_RTOL);
    }
    tape_free(&tp);
    paramset_free(&ps);
    ref_close(ref);
}

Test(l05_unet, unet_matches_pytorch) {
    unet_case("unet_", 0, 0);
}

Test(l05_unet, encoder_decoder_matches_pytorch) {
    unet_case("encdec_", 1, 0);
}

Test(l05_unet, evaluation_mode_matches_pytorch) {
    unet_case("unet_", 0, 1);
}

Test(l05_unet, dropout_only_in_training) {
    // W2's dropout on the three innermost decoder blocks: two training passes
    // on one input differ (fresh masks), two evaluation passes are identical.
    UNetConfig cfg = {.in_ch = 3, .out_ch = 3, .ngf = 2, .depth = 4, .n_dropout = 3,
                      .dropout = 0.5f};
    Rng rng;
    rng_seed(&rng, 2);
    ParamSet ps;
    paramset_init(&ps);
    UNet u;
    unet_init(&u, &ps, "g", &cfg, &rng);
    Tape tp;
    tape_init(&tp);
    tape_set_no_grad(&tp, 1);
    Tensor *x = tape_tensor(&tp, 4, (int[]){2, 3, 16, 16}, 0);
    rng_fill_uniform(&rng, x->data, (int)x->size, -1.0f, 1.0f);
    Tensor *a = l05_unet_forward(&u, &tp, x, 1, &rng), *b = l05_unet_forward(&u, &tp, x, 1, &rng);
    cr_assert(memcmp(a->data, b->data, sizeof(float) * a->size) != 0,
              "two training passes gave the same output: is dropout applied (train, rng)?");
    a = l05_unet_forward(&u, &tp, x, 0, NULL);
    b = l05_unet_forward(&u, &tp, x, 0, NULL);
    cr_assert(memcmp(a->data, b->data, sizeof(float) * a->size) == 0,
              "two evaluation passes differ: no dropout outside training");
    tape_free(&tp);
    paramset_free(&ps);
}

// Which decoder levels drop: the n_dropout innermost ones that have a norm
// (W2: 3 of 6). Against the library's U-Net with the same masks (one rng
// seed for both): one level too few or too many gives another output.
Test(l05_unet, dropout_on_the_innermost_levels) {
    for (int n_dropout = 1; n_dropout <= 3; n_dropout++) {
        UNetConfig cfg = {.in_ch = 3, .out_ch = 3, .ngf = 2, .depth = 5, .n_dropout = n_dropout,
                          .dropout = 0.5f};
        Rng rng;
        rng_seed(&rng, 4);
        ParamSet ps;
        paramset_init(&ps);
        UNet u;
        unet_init(&u, &ps, "g", &cfg, &rng);
        Tape tp;
        tape_init(&tp);
        tape_set_no_grad(&tp, 1);
        Tensor *x = tape_tensor(&tp, 4, (int[]){2, 3, 32, 32}, 0);
        rng_fill_uniform(&rng, x->data, (int)x->size, -1.0f, 1.0f);
        float *bn_before = malloc(sizeof(float) * ps.buf_size);
        memcpy(bn_before, ps.buf_data, sizeof(float) * ps.buf_size);
        Rng masks;
        rng_seed(&masks, 9);
        Tensor *want = unet_forward(&u, &tp, x, 1, &masks);
        memcpy(ps.buf_data, bn_before, sizeof(float) * ps.buf_size);
        rng_seed(&masks, 9);
        Tensor *got = l05_unet_forward(&u, &tp, x, 1, &masks);
        char what[128];
        snprintf(what, sizeof what, "depth 5, dropout 0.5 on the %d innermost decoder level(s) "
                 "(i >= D - n_dropout), masks from one seed: output", n_dropout);
        check_close(what, got->data, want->data, got->size, L05_ATOL, L05_RTOL);
        free(bn_before);
        tape_free(&tp);
        paramset_free(&ps);
    }
}

static void patchgan_case(const char *prefix, PatchGanNorm norm, int in_ch, int batch) {
    RefFile *ref = ref_open("lesson05_patchgan.bin");
    PatchGanConfig cfg = {.in_ch = in_ch, .ndf = 2, .n_layers = 2, .norm = norm};
    Rng rng;
    rng_seed(&rng, 1);
    ParamSet ps;
    paramset_init(&ps);
    PatchGan d;
    patchgan_init(&d, &ps, "d", &cfg, &rng);
    char name[48], what[96];
    snprintf(name, sizeof name, "%sblock", prefix);
    l05_load_block(ref, name, &ps);
    Tape tp;
    tape_init(&tp);
    snprintf(name, sizeof name, "%sx", prefix);
    Tensor *x = l05_input(&tp, ref, name, batch, in_ch, 16, 16);
    Tensor *y = l05_patchgan_forward(&d, &tp, x, 1);
    snprintf(what, sizeof what, "%s l05_patchgan_forward logits", prefix);
    l05_expect_shape(what, y, batch, 1, 2, 2);
    snprintf(name, sizeof name, "%sy", prefix);
    check_close(what, y->data, ref_get(ref, name, y->size), y->size, L05_ATOL, L05_RTOL);
    snprintf(name, sizeof name, "%sprobe", prefix);
    tape_backward(&tp, l05_probe_loss(&tp, y, ref, name));
    snprintf(name, sizeof name, "%sgrad", prefix);
    snprintf(what, sizeof what, "%s gradients of every parameter (ParamSet order)", prefix);
    check_close(what, ps.grad, ref_get(ref, name, ps.size), ps.size, L05_ATOL, L05_RTOL);
    snprintf(name, sizeof name, "%sdx", prefix);
    snprintf(what, sizeof what, "%s gradient of the input", prefix);
    check_close(what, x->grad, ref_get(ref, name, x->size), x->size, L05_ATOL, L05_RTOL);
    tape_free(&tp);
    paramset_free(&ps);
    ref_close(ref);
}

Test(l05_patchgan, batchnorm_matches_pytorch) {
    patchgan_case("bn_", PATCHGAN_BATCHNORM, 6, 2);
}

Test(l05_patchgan, instancenorm_matches_pytorch) {
    patchgan_case("in_", PATCHGAN_INSTANCENORM, 3, 1);
}

Test(l05_patchgan, w2_gives_6x6_logits_at_64x64) {
    PatchGanConfig cfg = patchgan_config_w2();
    Rng rng;
    rng_seed(&rng, 1);
    ParamSet ps;
    paramset_init(&ps);
    PatchGan d;
    patchgan_init(&d, &ps, "d", &cfg, &rng);
    Tape tp;
    tape_init(&tp);
    tape_set_no_grad(&tp, 1);
    Tensor *x = tape_tensor(&tp, 4, (int[]){2, 6, 64, 64}, 0);
    rng_fill_uniform(&rng, x->data, (int)x->size, -1.0f, 1.0f);
    l05_expect_shape("W2 PatchGAN on a 64x64 pair", l05_patchgan_forward(&d, &tp, x, 1), 2, 1, 6,
                     6);
    tape_free(&tp);
    paramset_free(&ps);
}

// ---------------------------------------------------------------- parameter counts

// The counts PyTorch gives for the same networks (bench/torch_workloads.py:
// W2 G 7,315,043 and D 696,225); the encoder-decoder's by hand below.
Test(l05_params, w2_networks) {
    L05Config cfg = l05_default_config();
    L05Pix2pix p;
    Rng rng;
    Error err = {0};
    rng_seed(&rng, 1);
    cr_assert_eq(l05_pix2pix_init(&p, &cfg, &rng, &err), 0, "l05_pix2pix_init: %s", err.msg);
    cr_assert_eq(p.ps_g.size, 7315043L, "W2 U-Net: %ld parameters, PyTorch has 7,315,043",
                 p.ps_g.size);
    cr_assert_eq(p.ps_d.size, 696225L, "W2 PatchGAN: %ld parameters, PyTorch has 696,225",
                 p.ps_d.size);
    l05_pix2pix_free(&p);
}

// A D that does not see concat(input, output) is refused with a message, and
// the model left zeroed: l05_pix2pix_free is safe on it.
Test(l05_params, refuses_a_d_of_the_wrong_width) {
    L05Config cfg = l05_default_config();
    cfg.d.in_ch = 3;
    L05Pix2pix p;
    Rng rng;
    Error err = {0};
    rng_seed(&rng, 1);
    cr_assert_eq(l05_pix2pix_init(&p, &cfg, &rng, &err), -1, "D with 3 input channels accepted");
    cr_assert_neq(strstr(err.msg, "3 + 3 channels"), NULL, "the message: \"%s\"", err.msg);
    cr_assert_eq(p.ps_g.size, 0L, "a refused model holds %ld parameters of G", p.ps_g.size);
    l05_pix2pix_free(&p);
}

Test(l05_params, encoder_decoder) {
    // The skips add, at levels 0..4, the skip's channels to the ConvT input:
    // (32 * 3 + 64 * 32 + 128 * 64 + 256 * 128 + 256 * 256) * 16 = 1,738,240
    // weights, so the encoder-decoder has 7,315,043 - 1,738,240 = 5,576,803.
    UNetConfig c = unet_config_w2();
    c.no_skips = 1;
    cr_assert_eq(unet_param_count(&c), 5576803L,
                 "W2 encoder-decoder: %ld parameters, expected 5,576,803", unet_param_count(&c));
    Rng rng;
    rng_seed(&rng, 1);
    ParamSet ps;
    paramset_init(&ps);
    UNet u;
    unet_init(&u, &ps, "g", &c, &rng);
    cr_assert_eq(ps.size, 5576803L, "unet_init made %ld parameters for the encoder-decoder",
                 ps.size);
    paramset_free(&ps);
}
