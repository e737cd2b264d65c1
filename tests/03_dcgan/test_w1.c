// test_w1.c - W1 (bench/WORKLOADS.md) as the lesson program trains it: the exact
// parameter counts, and one training step, D then G, at batch 8 with YOUR
// backward walk (exercise 3.9) on the library's kernels, so that a mistake
// in 3.1-3.8 costs those exercises, not 3.9; against the same step in
// PyTorch (tests/ref/gen_lesson03.py). The weights and inputs come from a formula
// both sides evaluate, so the reference file holds only results.
#include "dcgan_train.h"
#include "l03_test.h"

TestSuite(l03_w1, .timeout = 120);

#define B 8
#define SAMPLES 64

Test(l03_w1, parameter_counts) {
    RefFile *ref = ref_open("lesson03_w1.bin");
    Rng rng;
    rng_seed(&rng, 1);
    L03Dcgan gan;
    Error err = {0};
    cr_assert_eq(l03_dcgan_init(&gan, 2e-4f, &rng, &err), 0, "l03_dcgan_init: %s", err.msg);
    // G: Linear(100, 12544) + bias, BatchNorm1d(12544), ConvT(256, 128) no
    // bias, BatchNorm2d(128), ConvT(128, 1) + bias.
    // D: Conv(1, 64) + bias, Conv(64, 128) no bias, BatchNorm2d(128), Linear(6272, 1) + bias.
    cr_assert_eq(gan.ps_g.size, 1818625, "G has %ld parameters, W1's has 1,818,625",
                 gan.ps_g.size);
    cr_assert_eq(gan.ps_d.size, 138689, "D has %ld parameters, W1's has 138,689", gan.ps_d.size);
    cr_assert_eq(gan.ps_g.size, (long)ref_scalar(ref, "g_count"),
                 "G: %ld parameters, PyTorch's W1 generator %ld", gan.ps_g.size,
                 (long)ref_scalar(ref, "g_count"));
    cr_assert_eq(gan.ps_d.size, (long)ref_scalar(ref, "d_count"),
                 "D: %ld parameters, PyTorch's W1 discriminator %ld", gan.ps_d.size,
                 (long)ref_scalar(ref, "d_count"));
    l03_dcgan_free(&gan);
    ref_close(ref);
}

// gen_lesson03.py's w1_value and w1_input, in double as numpy computes them.
static float w1_value(long i, int t, int gain) {
    double v = sin(0.37 * i + 1.1 * t) * cos(0.013 * i + 0.7 * t);
    return (float)(gain ? 1.0 + 0.1 * v : 0.03 * v);
}

static void w1_input(float *x, long n, double phase, double amp) {
    for (long i = 0; i < n; i++) x[i] = (float)(amp * sin(0.71 * i + phase) * cos(0.029 * i));
}

// Numbers the parameter tensors from `first`, in ParamSet order (PyTorch's
// named_parameters order); a norm's gain ("...bn*.weight") is around 1.
static int set_weights(ParamSet *ps, int first) {
    for (int k = 0; k < ps->n_params; k++) {
        const char *name = ps->param_names[k];
        int gain = strstr(name, ".bn") && strstr(name, ".weight");
        Tensor *p = ps->params[k];
        for (long i = 0; i < p->size; i++) p->data[i] = w1_value(i, first + k, gain);
    }
    return first + ps->n_params;
}

// gen_lesson03.py's sample(): all of a small tensor, else SAMPLES evenly spaced.
static long take_sample(float *dst, const float *x, long n) {
    if (n <= 256) {
        memcpy(dst, x, sizeof(float) * n);
        return n;
    }
    long step = n / SAMPLES;
    for (int i = 0; i < SAMPLES; i++) dst[i] = x[i * step];
    return SAMPLES;
}

// Each gradient tensor against PyTorch's, with a bound relative to its
// largest entry: the step runs in float32 on both sides, through batch norms
// that amplify rounding. The 1e-6 floor is for g.fc.bias: a bias followed by
// batch norm has a zero gradient (the norm subtracts it again), so both
// sides hold rounding noise there.
static void check_param_grads(const RefFile *ref, const ParamSet *ps, const char *prefix,
                              const char *step) {
    for (int k = 0; k < ps->n_params; k++) {
        float got[256];
        long n = take_sample(got, ps->params[k]->grad, ps->params[k]->size);
        char key[48], what[128];
        snprintf(key, sizeof key, "%s%s", prefix, ps->param_names[k]);
        const float *want = ref_get(ref, key, n);
        float big = 0.0f;
        for (long i = 0; i < n; i++) big = fmaxf(big, fabsf(want[i]));
        snprintf(what, sizeof what, "%s: the gradient of %s (sampled) vs PyTorch", step,
                 ps->param_names[k]);
        check_close(what, got, want, n, 2e-3f * big + 1e-6f, 2e-3f);
    }
}

typedef struct {
    L03Dcgan gan;
    float z1[B * 100], z2[B * 100], real[B * 784];
} Step;

static void step_init(Step *s) {
    Rng rng;
    rng_seed(&rng, 1);
    Error err = {0};
    cr_assert_eq(l03_dcgan_init(&s->gan, 2e-4f, &rng, &err), 0, "l03_dcgan_init: %s", err.msg);
    // The model's tape runs the student's kernels (3.1-3.8); 3.9 is tested on the library's.
    tape_set_kernels(&s->gan.tape, tape_library_kernels());
    set_weights(&s->gan.ps_d, set_weights(&s->gan.ps_g, 0));
    w1_input(s->z1, B * 100, 0.3, 1.2);
    w1_input(s->z2, B * 100, 1.2, 1.2);
    w1_input(s->real, B * 784, 0.5, 0.9);
}

static void step_free(Step *s) {
    l03_dcgan_free(&s->gan);
}

Test(l03_w1, d_step_matches_pytorch) {
    RefFile *ref = ref_open("lesson03_w1.bin");
    static Step s;
    step_init(&s);
    // G's output first (the D step computes the same one internally).
    static float fake[B * 784];
    float got[SAMPLES];
    l03_generate(&s.gan, fake, s.z1, B);
    take_sample(got, fake, B * 784);
    check_close("G(z1), sampled, vs PyTorch", got, ref_get(ref, "fake1", SAMPLES), SAMPLES, 1e-4f,
                1e-3f);
    float d_real, d_fake;
    float loss_d = l03_d_step(&s.gan, &d_real, &d_fake, s.real, s.z1, B);
    float want = ref_scalar(ref, "loss_d");
    check_close("loss_D of the D step", &loss_d, &want, 1, 1e-4f, 1e-4f);
    want = ref_scalar(ref, "d_real");
    check_close("mean D(x) of the D step", &d_real, &want, 1, 1e-5f, 1e-4f);
    want = ref_scalar(ref, "d_fake");
    check_close("mean D(G(z)) of the D step", &d_fake, &want, 1, 1e-5f, 1e-4f);
    check_param_grads(ref, &s.gan.ps_d, "dgrad_", "D step");
    step_free(&s);
    ref_close(ref);
}

Test(l03_w1, g_step_matches_pytorch) {
    // After the D step and D's Adam update, so loss_G also checks the update.
    RefFile *ref = ref_open("lesson03_w1.bin");
    static Step s;
    step_init(&s);
    float d_real, d_fake;
    l03_d_step(&s.gan, &d_real, &d_fake, s.real, s.z1, B);
    float loss_g = l03_g_step(&s.gan, s.z2, B), want = ref_scalar(ref, "loss_g");
    check_close("loss_G of the G step (after D's update)", &loss_g, &want, 1, 1e-4f, 1e-4f);
    check_param_grads(ref, &s.gan.ps_g, "ggrad_", "G step");
    step_free(&s);
    ref_close(ref);
}

// ---------------------------------------------------------------- the constructor (ungraded)

TestSuite(l03_init, .timeout = 30);

// A learning rate of zero is refused with a message, and the model left
// zeroed: l03_dcgan_free is safe on it.
Test(l03_init, refuses_a_learning_rate_of_zero) {
    L03Dcgan gan;
    Rng rng;
    Error err = {0};
    rng_seed(&rng, 1);
    cr_assert_eq(l03_dcgan_init(&gan, 0.0f, &rng, &err), -1, "l03_dcgan_init accepted lr 0");
    cr_assert(strstr(err.msg, "learning rate") != NULL,
              "the message names the learning rate: \"%s\"", err.msg);
    cr_assert_eq(gan.ps_g.size + gan.ps_d.size, 0L, "a refused model holds no parameters");
    l03_dcgan_free(&gan);
}
