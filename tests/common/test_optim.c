// test_optim.c - Adam and SGD (with and without momentum), 5 steps on a
// least-squares problem through the tape, against PyTorch's losses and final
// parameters; the learning-rate schedules (tests/ref/gen_tape_optim.py).
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "nn/optim.h"
#include "ref.h"

TestSuite(optim, .timeout = 30);

enum { B = 4, IN = 5, OUT = 3, STEPS = 5 };

// Runs STEPS updates of Linear(IN, OUT) on mse(lin(x), y) and compares with
// the "<prefix>losses", "<prefix>weight", "<prefix>bias" of ref.
static void run_steps(const RefFile *ref, const char *prefix, Optimizer *opt, ParamSet *ps,
                      Linear *lin) {
    char name[64];
#define REF(what, n) (snprintf(name, sizeof name, "%s%s", prefix, what), ref_get(ref, name, n))
    memcpy(lin->weight->data, REF("weight0", OUT * IN), sizeof(float) * OUT * IN);
    memcpy(lin->bias->data, REF("bias0", OUT), sizeof(float) * OUT);
    Tape tp;
    tape_init(&tp);
    float losses[STEPS];
    for (int s = 0; s < STEPS; s++) {
        tape_reset(&tp);
        Tensor *x = tape_tensor(&tp, 2, (int[]){B, IN}, 0);
        Tensor *y = tape_tensor(&tp, 2, (int[]){B, OUT}, 0);
        memcpy(x->data, REF("x", B * IN), sizeof(float) * B * IN);
        memcpy(y->data, REF("y", B * OUT), sizeof(float) * B * OUT);
        paramset_zero_grad(ps);
        Tensor *loss = tape_mse(&tp, nn_linear_forward(&tp, lin, x), y);
        losses[s] = loss->data[0];
        tape_backward(&tp, loss);
        optim_step(opt, ps);
    }
    check_close("losses", losses, REF("losses", STEPS), STEPS, 1e-5f, 1e-4f);
    check_close("weight after 5 steps", lin->weight->data, REF("weight", OUT * IN), OUT * IN,
                1e-5f, 1e-4f);
    check_close("bias after 5 steps", lin->bias->data, REF("bias", OUT), OUT, 1e-5f, 1e-4f);
    cr_assert_eq(opt->step, STEPS, "step counter %ld", opt->step);
#undef REF
    tape_free(&tp);
}

static void build(ParamSet *ps, Linear *lin) {
    Rng rng;
    rng_seed(&rng, 1);
    paramset_init(ps);
    nn_linear_init(lin, ps, "lin", IN, OUT, 1, &rng);
}

Test(optim, adam_five_steps_match_torch) {
    RefFile *ref = ref_open("optim_adam.bin");
    ParamSet ps;
    Linear lin;
    build(&ps, &lin);
    Optimizer opt;
    optim_adam_init(&opt, &ps, 0.1f, 0.5f, 0.999f, 1e-3f);
    run_steps(ref, "", &opt, &ps, &lin);
    optim_free(&opt);
    paramset_free(&ps);
    ref_close(ref);
}

Test(optim, sgd_momentum_five_steps_match_torch) {
    RefFile *ref = ref_open("optim_sgd.bin");
    ParamSet ps;
    Linear lin;
    build(&ps, &lin);
    Optimizer opt;
    optim_sgd_init(&opt, &ps, 0.1f, 0.9f);
    run_steps(ref, "momentum.", &opt, &ps, &lin);
    optim_free(&opt);
    paramset_free(&ps);
    ref_close(ref);
}

Test(optim, sgd_plain_five_steps_match_torch) {
    RefFile *ref = ref_open("optim_sgd.bin");
    ParamSet ps;
    Linear lin;
    build(&ps, &lin);
    Optimizer opt;
    optim_sgd_init(&opt, &ps, 0.1f, 0.0f);
    cr_assert(opt.m == NULL && opt.v == NULL, "plain SGD keeps no state");
    run_steps(ref, "plain.", &opt, &ps, &lin);
    optim_free(&opt);
    paramset_free(&ps);
    ref_close(ref);
}

Test(optim, linear_decay_schedule_matches_pix2pix) {
    RefFile *ref = ref_open("optim_lr.bin");
    LrSchedule s = {LR_LINEAR_DECAY, 2e-4f, 3, 4};
    float lrs[7];
    for (int e = 0; e < 7; e++) lrs[e] = lr_schedule_at(&s, e);
    check_close("lr per epoch", lrs, ref_get(ref, "lrs", 7), 7, 1e-10f, 1e-6f);
    // By hand: 3 epochs at the base rate, then 4/5, 3/5, 2/5, 1/5 of it.
    const float want[7] = {2e-4f, 2e-4f, 2e-4f, 1.6e-4f, 1.2e-4f, 0.8e-4f, 0.4e-4f};
    check_close("lr by hand", lrs, want, 7, 1e-10f, 1e-6f);
    LrSchedule c = {LR_CONSTANT, 1e-3f, 0, 0};
    cr_assert(lr_schedule_at(&c, 0) == 1e-3f && lr_schedule_at(&c, 1000) == 1e-3f,
              "a constant schedule is constant");
    ref_close(ref);
}
