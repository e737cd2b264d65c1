// test_step.c - exercise 7.5: one training step of the decoder through the
// frozen encoder, against PyTorch (tests/ref/gen_lesson07.py,
// data/lesson07_step.bin): encoder and decoder width 2 on 32x32 crops,
// batch 2, the first pair an identity pair. The step runs on the reference AdaIN and losses
// (isolate_adain_exercises.h): a mistake in 7.1-7.4 does not cost 7.5.
#include <stdlib.h>

#include "l07_test.h"

TestSuite(l07_step, .timeout = 30);

enum { SB = 2, SS = 32 };

static void build(AdainNet *n, const RefFile *ref) {
    AdainConfig cfg = {.width = 2, .style_weight = ref_scalar(ref, "style_weight"),
                       .identity_weight = ref_scalar(ref, "identity_weight"),
                       .lr = ref_scalar(ref, "lr")};
    adain_init(n, &cfg, 3);
    memcpy(n->ps_enc.data, ref_get(ref, "enc_block", n->ps_enc.size), sizeof(float) * n->ps_enc.size);
    memcpy(n->ps_dec.data, ref_get(ref, "dec_block", n->ps_dec.size), sizeof(float) * n->ps_dec.size);
}

static void step(AdainNet *n, const RefFile *ref, AdainStats *st) {
    adain_train_step_isolated(n, st, ref_get(ref, "content", SB * 3 * SS * SS),
                              ref_get(ref, "style", SB * 3 * SS * SS), SB, SS, 1);
}

Test(l07_step, matches_pytorch) {
    RefFile *ref = ref_open("lesson07_step.bin");
    AdainNet n;
    build(&n, ref);
    AdainStats st = {-1, -1, -1, -1};
    step(&n, ref, &st);
    float want = ref_scalar(ref, "content_loss");
    check_close("st->content: L_c = MSE(relu4_1 of g(t), t)", &st.content, &want, 1, 1e-5f, 1e-4f);
    want = ref_scalar(ref, "style_loss");
    check_close("st->style: L_s over relu1_1..relu4_1 (unweighted)", &st.style, &want, 1, 1e-5f,
                1e-4f);
    want = ref_scalar(ref, "identity_loss");
    check_close("st->identity: L_id = MSE(g, content) over the identity pair (sample 0) only",
                &st.identity, &want, 1, 1e-5f, 1e-4f);
    want = ref_scalar(ref, "loss");
    check_close("st->loss: L_c + style_weight * L_s + identity_weight * L_id", &st.loss, &want, 1,
                1e-5f, 1e-4f);
    check_close("the decoder's gradients of L (through the frozen encoder)", n.ps_dec.grad,
                ref_get(ref, "dec_grad", n.ps_dec.size), n.ps_dec.size, 1e-5f, 1e-3f);
    check_close("the decoder after one Adam step (lr 1e-3, betas 0.9, 0.999)", n.ps_dec.data,
                ref_get(ref, "dec_after", n.ps_dec.size), n.ps_dec.size, 1e-5f, 1e-4f);
    adain_free(&n);
    ref_close(ref);
}

Test(l07_step, zeroes_stale_gradients_and_leaves_the_encoder_alone) {
    RefFile *ref = ref_open("lesson07_step.bin");
    AdainNet n;
    build(&n, ref);
    for (long i = 0; i < n.ps_dec.size; i++) n.ps_dec.grad[i] = 1.0f;   // a previous step's
    AdainStats st;
    step(&n, ref, &st);
    check_close("the decoder's gradients with stale ones in the buffer (zero them first)",
                n.ps_dec.grad, ref_get(ref, "dec_grad", n.ps_dec.size), n.ps_dec.size, 1e-5f, 1e-3f);
    check_close("the encoder's weights after the step (frozen: they never change)", n.ps_enc.data,
                ref_get(ref, "enc_block", n.ps_enc.size), n.ps_enc.size, 0.0f, 0.0f);
    adain_free(&n);
    ref_close(ref);
}
