// test_cgan_nets.c - exercises 4.1 and 4.2: the conditional generator and
// discriminator against PyTorch (tests/ref/gen_lesson04.py): their outputs,
// and their parameters' gradients through them (which shows the label went
// in where it should: a one-hot block in the wrong place changes which
// weights get a gradient).
#include <criterion/criterion.h>
#include <string.h>

#include "cgan_ref.h"
#include "check.h"

TestSuite(l04_g, .timeout = 30);
TestSuite(l04_d, .timeout = 30);

static Tensor *run_g(L04Cgan *gan, const RefFile *ref) {
    int labels[RB];
    cgan_ref_labels(labels, ref, "labels_g", RB);
    Tensor *z = cgan_ref_input(gan, ref_get(ref, "z_g", RB * RZ), 2, (int[]){RB, RZ});
    Tensor *img = l04_generator_forward(gan, z, labels);
    cr_assert(img->ndim == 4 && img->shape[0] == RB && img->shape[1] == 1 && img->shape[2] == RH &&
                  img->shape[3] == RW,
              "G(z, y) must be (B, 1, H, W) = (%d, 1, %d, %d)", RB, RH, RW);
    return img;
}

static Tensor *run_d(L04Cgan *gan, const RefFile *ref) {
    int labels[RB];
    cgan_ref_labels(labels, ref, "labels_x", RB);
    Tensor *x = cgan_ref_input(gan, ref_get(ref, "x", RB * RX), 4, (int[]){RB, 1, RH, RW});
    Tensor *logit = l04_discriminator_forward(gan, x, labels);
    cr_assert(logit->size == RB && logit->shape[0] == RB, "D(x, y) must be (B, 1) = (%d, 1)", RB);
    return logit;
}

Test(l04_g, forward_matches_pytorch) {
    RefFile *ref = ref_open(CGAN_REF_FILE);
    L04Cgan gan;
    cgan_ref_build(&gan, ref);
    Tensor *img = run_g(&gan, ref);
    check_close("G(z, y)", img->data, ref_get(ref, "gfwd_out", RB * RX), RB * RX, CGAN_ATOL,
                CGAN_RTOL);
    l04_cgan_free(&gan);
    ref_close(ref);
}

Test(l04_g, parameter_gradients_match_pytorch) {
    RefFile *ref = ref_open(CGAN_REF_FILE);
    L04Cgan gan;
    cgan_ref_build(&gan, ref);
    Tensor *img = run_g(&gan, ref);
    tape_backward(&gan.tape, cgan_ref_probe_loss(&gan, img, ref_get(ref, "gfwd_probe", RB * RX)));
    check_close("d sum(G(z, y) * probe) / d G's parameters", gan.ps_g.grad,
                ref_get(ref, "gfwd_grad", gan.ps_g.size), gan.ps_g.size, CGAN_ATOL, CGAN_RTOL);
    l04_cgan_free(&gan);
    ref_close(ref);
}

Test(l04_d, forward_matches_pytorch) {
    RefFile *ref = ref_open(CGAN_REF_FILE);
    L04Cgan gan;
    cgan_ref_build(&gan, ref);
    Tensor *logit = run_d(&gan, ref);
    check_close("D(x, y)", logit->data, ref_get(ref, "dfwd_logit", RB), RB, CGAN_ATOL, CGAN_RTOL);
    l04_cgan_free(&gan);
    ref_close(ref);
}

Test(l04_d, parameter_gradients_match_pytorch) {
    RefFile *ref = ref_open(CGAN_REF_FILE);
    L04Cgan gan;
    cgan_ref_build(&gan, ref);
    Tensor *logit = run_d(&gan, ref);
    tape_backward(&gan.tape, cgan_ref_probe_loss(&gan, logit, ref_get(ref, "dfwd_probe", RB)));
    check_close("d sum(D(x, y) * probe) / d D's parameters", gan.ps_d.grad,
                ref_get(ref, "dfwd_grad", gan.ps_d.size), gan.ps_d.size, CGAN_ATOL, CGAN_RTOL);
    l04_cgan_free(&gan);
    ref_close(ref);
}

// Not graded: the program's sampler runs your G in batches under no_grad.
Test(l04_g, generate_agrees_with_the_forward_pass) {
    RefFile *ref = ref_open(CGAN_REF_FILE);
    L04Cgan gan;
    cgan_ref_build(&gan, ref);
    int labels[RB];
    cgan_ref_labels(labels, ref, "labels_g", RB);
    float imgs[RB * RX];
    l04_generate(&gan, imgs, ref_get(ref, "z_g", RB * RZ), labels, RB);
    check_close("l04_generate", imgs, ref_get(ref, "gfwd_out", RB * RX), RB * RX, CGAN_ATOL,
                CGAN_RTOL);
    l04_cgan_free(&gan);
    ref_close(ref);
}

// ---------------------------------------------------------------- the constructor (ungraded)

TestSuite(l04_init, .timeout = 30);

// A layer of no units is refused with a message, and the model left zeroed:
// l04_cgan_free is safe on it.
Test(l04_init, refuses_a_size_of_zero) {
    L04Config cfg = l04_default_config();
    cfg.d_hidden[1] = 0;
    L04Cgan gan;
    Rng rng;
    Error err = {0};
    rng_seed(&rng, 1);
    cr_assert_eq(l04_cgan_init(&gan, &cfg, &rng, &err), -1,
                 "l04_cgan_init accepted a D of 512-0 units");
    cr_assert(strstr(err.msg, "D 512-0") != NULL, "the message names the sizes: \"%s\"", err.msg);
    cr_assert_eq(gan.ps_g.size + gan.ps_d.size, 0L, "a refused model holds no parameters");
    l04_cgan_free(&gan);
}
