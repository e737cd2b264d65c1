// pix2pix_ref.c - the reference losses of lesson 05 (exercises 5.4 and 5.5 as
// pix2pix.h describes them), on the library's tape ops: exercise 5.6's tests
// run the student's step on these (isolate_pix2pix_exercises.h).
#include "l05_test.h"

static Tensor *bce_against(Tape *tp, Tensor *logits, float target) {
    return tape_bce_with_logits(tp, logits, tape_full_like(tp, logits, target));
}

Tensor *l05_ref_g_loss(Tape *tp, Tensor *fake_logits, Tensor *fake, Tensor *target,
                       L05Loss loss, float lambda, float *gan_term, float *l1_term) {
    Tensor *l1 = tape_l1(tp, fake, target);
    Tensor *weighted = tape_scale(tp, l1, lambda);
    *l1_term = l1->data[0];
    *gan_term = 0.0f;
    if (loss == L05_LOSS_L1) return weighted;
    Tensor *gan = bce_against(tp, fake_logits, 1.0f);
    *gan_term = gan->data[0];
    return loss == L05_LOSS_CGAN ? gan : tape_add(tp, gan, weighted);
}

Tensor *l05_ref_d_loss(Tape *tp, Tensor *real_logits, Tensor *fake_logits) {
    Tensor *sum = tape_add(tp, bce_against(tp, real_logits, 1.0f),
                           bce_against(tp, fake_logits, 0.0f));
    return tape_scale(tp, sum, 0.5f);
}
