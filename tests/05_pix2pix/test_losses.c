// test_losses.c - exercises 5.4 and 5.5: the generator's loss (for each of
// the ablation's three losses) and the discriminator's halved loss, against
// PyTorch's binary_cross_entropy_with_logits and l1_loss
// (tests/ref/gen_lesson05.py, data/lesson05_losses.bin).
#include "l05_test.h"

TestSuite(l05_g_loss, .timeout = 10);
TestSuite(l05_d_loss, .timeout = 10);

#define LB 2   // batch
#define LP 3   // logits are (LB, 1, LP, LP)
#define LC 3   // images are (LB, LC, LHW, LHW)
#define LHW 4

static void g_loss_case(const char *name, L05Loss kind) {
    RefFile *ref = ref_open("lesson05_losses.bin");
    Tape tp;
    tape_init(&tp);
    Tensor *logits = l05_input(&tp, ref, "logits", LB, 1, LP, LP);
    Tensor *fake = l05_input(&tp, ref, "fake", LB, LC, LHW, LHW);
    Tensor *target = tape_tensor(&tp, 4, (int[]){LB, LC, LHW, LHW}, 0);
    memcpy(target->data, ref_get(ref, "target", target->size), sizeof(float) * target->size);
    float gan = -1.0f, l1 = -1.0f;
    Tensor *total = l05_g_loss(&tp, kind == L05_LOSS_L1 ? NULL : logits, fake, target, kind,
                               ref_scalar(ref, "lambda"), &gan, &l1);
    cr_assert(total != NULL && total->size == 1, "l05_g_loss (%s) must return a scalar", name);
    char key[48], what[96];
    snprintf(key, sizeof key, "g_%s_total", name);
    snprintf(what, sizeof what, "L_G for --loss %s", l05_loss_name(kind));
    float want = ref_scalar(ref, key);
    check_close(what, total->data, &want, 1, 1e-5f, 1e-5f);
    snprintf(key, sizeof key, "g_%s_gan", name);
    snprintf(what, sizeof what, "*gan_term for --loss %s", l05_loss_name(kind));
    want = ref_scalar(ref, key);
    check_close(what, &gan, &want, 1, 1e-6f, 1e-5f);
    snprintf(key, sizeof key, "g_%s_l1", name);
    snprintf(what, sizeof what, "*l1_term (unweighted) for --loss %s", l05_loss_name(kind));
    want = ref_scalar(ref, key);
    check_close(what, &l1, &want, 1, 1e-6f, 1e-5f);
    tape_backward(&tp, total);
    snprintf(key, sizeof key, "g_%s_dfake", name);
    snprintf(what, sizeof what, "dL_G/dfake for --loss %s", l05_loss_name(kind));
    check_close(what, fake->grad, ref_get(ref, key, fake->size), fake->size, 1e-6f, 1e-4f);
    snprintf(key, sizeof key, "g_%s_dlogits", name);
    snprintf(what, sizeof what, "dL_G/dlogits for --loss %s", l05_loss_name(kind));
    check_close(what, logits->grad, ref_get(ref, key, logits->size), logits->size, 1e-6f, 1e-4f);
    tape_free(&tp);
    ref_close(ref);
}

Test(l05_g_loss, l1_plus_cgan_matches_pytorch) {
    g_loss_case("l1cgan", L05_LOSS_L1_CGAN);
}

Test(l05_g_loss, l1_alone_matches_pytorch) {
    g_loss_case("l1", L05_LOSS_L1);
}

Test(l05_g_loss, cgan_alone_matches_pytorch) {
    g_loss_case("cgan", L05_LOSS_CGAN);
}

Test(l05_d_loss, matches_pytorch) {
    RefFile *ref = ref_open("lesson05_losses.bin");
    Tape tp;
    tape_init(&tp);
    Tensor *real = l05_input(&tp, ref, "real_logits", LB, 1, LP, LP);
    Tensor *fake = l05_input(&tp, ref, "logits", LB, 1, LP, LP);
    Tensor *loss = l05_d_loss(&tp, real, fake);
    cr_assert(loss != NULL && loss->size == 1, "l05_d_loss must return a scalar");
    float want = ref_scalar(ref, "d_loss");
    check_close("L_D = 1/2 [BCE(real, 1) + BCE(fake, 0)]", loss->data, &want, 1, 1e-6f, 1e-5f);
    tape_backward(&tp, loss);
    check_close("dL_D/dreal_logits", real->grad, ref_get(ref, "d_dreal", real->size), real->size,
                1e-7f, 1e-4f);
    check_close("dL_D/dfake_logits", fake->grad, ref_get(ref, "d_dfake", fake->size), fake->size,
                1e-7f, 1e-4f);
    tape_free(&tp);
    ref_close(ref);
}

Test(l05_d_loss, halved_and_pushes_the_right_way) {
    // Every logit 0: each BCE is log 2, so L_D = 1/2 (log 2 + log 2) = log 2
    // (not 2 log 2: the halving); each real logit's gradient is
    // 1/2 (sigmoid(0) - 1) / n < 0 (raise it), each fake one's 1/2 sigmoid(0) / n > 0.
    Tape tp;
    tape_init(&tp);
    enum { N = 8 };
    Tensor *real = tape_tensor(&tp, 4, (int[]){2, 1, 2, 2}, 1);
    Tensor *fake = tape_tensor(&tp, 4, (int[]){2, 1, 2, 2}, 1);
    Tensor *loss = l05_d_loss(&tp, real, fake);
    float want = 0.69314718f;
    check_close("L_D with every logit 0 (log 2: the sum of the two BCEs, halved)", loss->data,
                &want, 1, 1e-6f, 1e-5f);
    tape_backward(&tp, loss);
    float want_real[N], want_fake[N];
    for (int i = 0; i < N; i++) want_real[i] = -0.25f / N, want_fake[i] = 0.25f / N;
    check_close("dL_D/dreal at 0: 1/2 (sigmoid(0) - 1) / 8, real pairs pushed up", real->grad,
                want_real, N, 1e-7f, 1e-5f);
    check_close("dL_D/dfake at 0: 1/2 sigmoid(0) / 8, fake pairs pushed down", fake->grad,
                want_fake, N, 1e-7f, 1e-5f);
    tape_free(&tp);
}
