// test_cgan_steps.c - exercises 4.3 and 4.4: the conditional D and G steps
// against PyTorch (tests/ref/gen_lesson04.py), and which network each step
// may change, checked in the state training is in (after the other step).
// The steps run on the reference networks (isolate_cgan_exercises.h): a
// mistake in 4.1 or 4.2 does not cost 4.3 or 4.4.
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "cgan_ref.h"
#include "check.h"

TestSuite(l04_step, .timeout = 30);

static float d_step(L04Cgan *gan, const RefFile *ref, float *d_real, float *d_fake) {
    int real_labels[RB], fake_labels[RB];
    cgan_ref_labels(real_labels, ref, "labels_x", RB);
    cgan_ref_labels(fake_labels, ref, "labels_fake", RB);
    return l04_d_step_isolated(gan, d_real, d_fake, ref_get(ref, "x", RB * RX), real_labels,
                      ref_get(ref, "z_d", RB * RZ), fake_labels, RB);
}

static float g_step(L04Cgan *gan, const RefFile *ref) {
    int labels[RB];
    cgan_ref_labels(labels, ref, "labels_g", RB);
    return l04_g_step_isolated(gan, ref_get(ref, "z_g", RB * RZ), labels, RB);
}

static float *copy_of(const float *x, long n) {
    float *c = malloc(sizeof(float) * n);
    memcpy(c, x, sizeof(float) * n);
    return c;
}

Test(l04_step, d_step_matches_pytorch) {
    RefFile *ref = ref_open(CGAN_REF_FILE);
    L04Cgan gan;
    cgan_ref_build(&gan, ref);
    float d_real = -1.0f, d_fake = -1.0f;
    float loss = d_step(&gan, ref, &d_real, &d_fake);
    float want = ref_scalar(ref, "dstep_loss");
    check_close("loss_D", &loss, &want, 1, CGAN_ATOL, CGAN_RTOL);
    want = ref_scalar(ref, "dstep_d_real");
    check_close("mean D(real, y)", &d_real, &want, 1, CGAN_ATOL, CGAN_RTOL);
    want = ref_scalar(ref, "dstep_d_fake");
    check_close("mean D(G(z, y'), y')", &d_fake, &want, 1, CGAN_ATOL, CGAN_RTOL);
    check_close("D's gradients of loss_D", gan.ps_d.grad, ref_get(ref, "dstep_grad", gan.ps_d.size),
                gan.ps_d.size, CGAN_ATOL, CGAN_RTOL);
    check_close("D's parameters after the Adam step", gan.ps_d.data,
                ref_get(ref, "dstep_d_after", gan.ps_d.size), gan.ps_d.size, CGAN_ATOL, CGAN_RTOL);
    l04_cgan_free(&gan);
    ref_close(ref);
}

Test(l04_step, d_step_leaves_g_untouched) {
    RefFile *ref = ref_open(CGAN_REF_FILE);
    L04Cgan gan;
    cgan_ref_build(&gan, ref);
    float *g_before = copy_of(gan.ps_g.data, gan.ps_g.size);
    for (long i = 0; i < gan.ps_g.size; i++) gan.ps_g.grad[i] = 7.0f;   // a sentinel
    float d_real, d_fake;
    d_step(&gan, ref, &d_real, &d_fake);
    cr_assert(memcmp(g_before, gan.ps_g.data, sizeof(float) * gan.ps_g.size) == 0,
              "the D step changed G's parameters");
    for (long i = 0; i < gan.ps_g.size; i++)
        cr_assert(gan.ps_g.grad[i] == 7.0f,
                  "the D step touched G's gradient [%ld] (%g): run G under no_grad", i,
                  gan.ps_g.grad[i]);
    free(g_before);
    l04_cgan_free(&gan);
    ref_close(ref);
}

Test(l04_step, g_step_matches_pytorch) {
    RefFile *ref = ref_open(CGAN_REF_FILE);
    L04Cgan gan;
    cgan_ref_build(&gan, ref);
    float loss = g_step(&gan, ref);
    float want = ref_scalar(ref, "gstep_loss");
    check_close("loss_G", &loss, &want, 1, CGAN_ATOL, CGAN_RTOL);
    check_close("G's gradients of loss_G", gan.ps_g.grad, ref_get(ref, "gstep_grad", gan.ps_g.size),
                gan.ps_g.size, CGAN_ATOL, CGAN_RTOL);
    check_close("G's parameters after the Adam step", gan.ps_g.data,
                ref_get(ref, "gstep_g_after", gan.ps_g.size), gan.ps_g.size, CGAN_ATOL, CGAN_RTOL);
    l04_cgan_free(&gan);
    ref_close(ref);
}

// After a D step, as in training: D's gradients and Adam moments are not
// zero, so an update of D inside the G step moves D even if D's gradients
// were zeroed first.
Test(l04_step, g_step_leaves_d_unchanged) {
    RefFile *ref = ref_open(CGAN_REF_FILE);
    L04Cgan gan;
    cgan_ref_build(&gan, ref);
    float d_real, d_fake;
    d_step(&gan, ref, &d_real, &d_fake);
    float *d_before = copy_of(gan.ps_d.data, gan.ps_d.size);
    g_step(&gan, ref);
    cr_assert(memcmp(d_before, gan.ps_d.data, sizeof(float) * gan.ps_d.size) == 0,
              "the G step changed D's parameters (checked after a D step, with D's Adam "
              "moments non-zero): only G may be updated, optim_step(&gan->opt_g, &gan->ps_g)");
    for (int i = 0; i < gan.ps_d.n_params; i++)
        cr_assert(gan.ps_d.params[i]->requires_grad == 1,
                  "after the G step D's parameter %s is still frozen: unfreeze D at the end",
                  gan.ps_d.param_names[i]);
    // D must be trainable again: the D step that follows computes its gradients.
    d_step(&gan, ref, &d_real, &d_fake);
    long nonzero = 0;
    for (long i = 0; i < gan.ps_d.size; i++) nonzero += gan.ps_d.grad[i] != 0.0f;
    cr_assert(nonzero > 0, "after a G step, the next D step computed no gradient for D");
    free(d_before);
    l04_cgan_free(&gan);
    ref_close(ref);
}

// D frozen: the G step's backward adds nothing to D's gradients, which after
// a D step are not zero. They may stay as they were or be zeroed, nothing else.
Test(l04_step, g_step_computes_no_gradient_for_d) {
    RefFile *ref = ref_open(CGAN_REF_FILE);
    L04Cgan gan;
    cgan_ref_build(&gan, ref);
    float d_real, d_fake;
    d_step(&gan, ref, &d_real, &d_fake);
    float *grad_before = copy_of(gan.ps_d.grad, gan.ps_d.size);
    g_step(&gan, ref);
    long changed = 0, nonzero = 0, first = -1;
    for (long i = 0; i < gan.ps_d.size; i++) {
        if (gan.ps_d.grad[i] != grad_before[i]) changed++, first = first < 0 ? i : first;
        nonzero += gan.ps_d.grad[i] != 0.0f;
    }
    cr_assert(changed == 0 || nonzero == 0,
              "the G step computed a gradient for D (%ld of D's %ld gradient entries changed, "
              "the first [%ld]: %g -> %g): freeze D for the step, "
              "paramset_set_requires_grad(&gan->ps_d, 0), and unfreeze it at the end",
              changed, gan.ps_d.size, first, grad_before[first], gan.ps_d.grad[first]);
    free(grad_before);
    l04_cgan_free(&gan);
    ref_close(ref);
}
