// test_losses.c - exercises 6.1 (the cycle-consistency loss and its
// gradient, by hand) and 6.2 (the identity loss on the tape) against
// PyTorch's l1_loss (tests/ref/gen_lesson06.py, data/lesson06_losses.bin)
// and finite differences.
#include <math.h>
#include <stdlib.h>

#include "l06_test.h"

TestSuite(l06_cycle, .timeout = 30);
TestSuite(l06_identity, .timeout = 30);

#define LN (2 * 3 * 4 * 4)

typedef struct {
    float rec_a[LN], a[LN], rec_b[LN], b[LN];
    float lambda, dout;
} Cycle;

static void load_cycle(Cycle *c, const RefFile *ref) {
    memcpy(c->a, ref_get(ref, "cyc_a", LN), sizeof c->a);
    memcpy(c->b, ref_get(ref, "cyc_b", LN), sizeof c->b);
    memcpy(c->rec_a, ref_get(ref, "cyc_rec_a", LN), sizeof c->rec_a);
    memcpy(c->rec_b, ref_get(ref, "cyc_rec_b", LN), sizeof c->rec_b);
    c->lambda = ref_scalar(ref, "cyc_lambda");
    c->dout = ref_scalar(ref, "cyc_dout");
}

Test(l06_cycle, value_matches_pytorch) {
    RefFile *ref = ref_open("lesson06_losses.bin");
    Cycle c;
    load_cycle(&c, ref);
    float got = l06_cycle_loss_forward(c.rec_a, c.a, c.rec_b, c.b, LN, c.lambda);
    float want = ref_scalar(ref, "cyc_loss");
    check_close("lambda * (mean |rec_a - a| + mean |rec_b - b|)", &got, &want, 1, 1e-5f, 1e-5f);
    float half = l06_cycle_loss_forward(c.rec_a, c.a, c.rec_b, c.b, LN, 0.5f * c.lambda);
    float want_half = 0.5f * want;
    check_close("the loss at half the lambda (lambda multiplies the sum)", &half, &want_half, 1,
                1e-5f, 1e-5f);
    ref_close(ref);
}

Test(l06_cycle, gradient_matches_pytorch_at_the_kink_too) {
    RefFile *ref = ref_open("lesson06_losses.bin");
    Cycle c;
    load_cycle(&c, ref);
    float da[LN], db[LN];
    for (int i = 0; i < LN; i++) da[i] = db[i] = 9.0f;   // overwritten, not accumulated
    l06_cycle_loss_backward(da, db, c.rec_a, c.a, c.rec_b, c.b, LN, c.lambda, c.dout);
    check_close("d(dout * L_cyc) / d rec_a (sign(0) = 0 where rec_a = a)", da,
                ref_get(ref, "cyc_d_rec_a", LN), LN, 1e-6f, 1e-5f);
    check_close("d(dout * L_cyc) / d rec_b (sign(0) = 0 where rec_b = b)", db,
                ref_get(ref, "cyc_d_rec_b", LN), LN, 1e-6f, 1e-5f);
    ref_close(ref);
}

static Cycle *fd_cycle;
static double cycle_value(void *ctx) {
    (void)ctx;
    return fd_cycle->dout * l06_cycle_loss_forward(fd_cycle->rec_a, fd_cycle->a, fd_cycle->rec_b,
                                                   fd_cycle->b, LN, fd_cycle->lambda);
}

Test(l06_cycle, gradient_matches_finite_differences) {
    RefFile *ref = ref_open("lesson06_losses.bin");
    static Cycle c;
    load_cycle(&c, ref);
    // off the kinks: finite differences across |x| at 0 see the average slope
    for (int i = 0; i < LN; i++) {
        if (fabsf(c.rec_a[i] - c.a[i]) < 0.05f) c.rec_a[i] = c.a[i] + 0.1f;
        if (fabsf(c.rec_b[i] - c.b[i]) < 0.05f) c.rec_b[i] = c.b[i] - 0.1f;
    }
    fd_cycle = &c;
    float da[LN], db[LN];
    l06_cycle_loss_backward(da, db, c.rec_a, c.a, c.rec_b, c.b, LN, c.lambda, c.dout);
    check_grad_fd("d L_cyc / d rec_a", c.rec_a, da, LN, cycle_value, NULL, 1e-2f, 1e-3f, 2e-2f, LN);
    check_grad_fd("d L_cyc / d rec_b", c.rec_b, db, LN, cycle_value, NULL, 1e-2f, 1e-3f, 2e-2f, LN);
    ref_close(ref);
}

typedef struct {
    Tape tp;
    Tensor *a, *f_a, *b, *g_b;
} Idt;

static void load_identity(Idt *t, const RefFile *ref) {
    tape_init(&t->tp);
    t->a = l06_input(&t->tp, ref, "cyc_a", 2, 3, 4, 4, 0);
    t->b = l06_input(&t->tp, ref, "cyc_b", 2, 3, 4, 4, 0);
    t->f_a = l06_input(&t->tp, ref, "idt_f_a", 2, 3, 4, 4, 1);
    t->g_b = l06_input(&t->tp, ref, "idt_g_b", 2, 3, 4, 4, 1);
}

Test(l06_identity, matches_pytorch) {
    RefFile *ref = ref_open("lesson06_losses.bin");
    Idt t;
    load_identity(&t, ref);
    float ia = -1.0f, ib = -1.0f;
    Tensor *loss = l06_identity_loss(&t.tp, t.a, t.f_a, t.b, t.g_b, ref_scalar(ref, "idt_weight"),
                                     &ia, &ib);
    cr_assert(loss != NULL && loss->size == 1, "l06_identity_loss must return a scalar tensor");
    float want = ref_scalar(ref, "idt_loss");
    check_close("weight * (mean |F(a) - a| + mean |G(b) - b|)", loss->data, &want, 1, 1e-5f, 1e-5f);
    tape_backward(&t.tp, loss);
    check_close("d L_idt / d F(a)", t.f_a->grad, ref_get(ref, "idt_d_f_a", LN), LN, 1e-6f, 1e-5f);
    check_close("d L_idt / d G(b)", t.g_b->grad, ref_get(ref, "idt_d_g_b", LN), LN, 1e-6f, 1e-5f);
    tape_free(&t.tp);
    ref_close(ref);
}

Test(l06_identity, weight_and_terms) {
    RefFile *ref = ref_open("lesson06_losses.bin");
    Idt t;
    load_identity(&t, ref);
    float ia = -1.0f, ib = -1.0f;
    Tensor *loss = l06_identity_loss(&t.tp, t.a, t.f_a, t.b, t.g_b, 1.0f, &ia, &ib);
    float want_a = ref_scalar(ref, "idt_a"), want_b = ref_scalar(ref, "idt_b");
    check_close("*idt_a = mean |F(a) - a|, unweighted", &ia, &want_a, 1, 1e-5f, 1e-5f);
    check_close("*idt_b = mean |G(b) - b|, unweighted", &ib, &want_b, 1, 1e-5f, 1e-5f);
    float sum = want_a + want_b;
    check_close("with weight 1 the loss is the sum of both terms", loss->data, &sum, 1, 1e-5f,
                1e-5f);
    tape_free(&t.tp);
    ref_close(ref);
}
