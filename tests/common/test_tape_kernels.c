// test_tape_kernels.c - a tape's own kernel table (tape_set_kernels) reaches
// that tape only, and the FCD evaluator's classifier is trained and run with
// the library's kernels whatever table a lesson gives its model or the
// process: trained next to a wrong convolution (a stubbed or broken
// exercise), the classifier comes out bit-identical.
#include <criterion/criterion.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "kernels/conv.h"
#include "eval/evaluator.h"
#include "kernels/norm.h"
#include "autograd/tape.h"

TestSuite(tape_kernels, .timeout = 120);

// A student's convolution that is wrong: the right one, plus one everywhere.
static void wrong_conv2d_forward(float *out, float *col, const float *inp, const float *weight,
                                 const float *bias, const ConvGeom *g) {
    conv2d_forward(out, col, inp, weight, bias, g);
    for (long i = 0; i < (long)g->B * g->OC * g->OH * g->OW; i++) out[i] += 1.0f;
}

static const TapeKernels WRONG = {
    .conv2d_forward = wrong_conv2d_forward,
    .conv2d_backward = conv2d_backward,
    .conv_transpose2d_forward = conv_transpose2d_forward,
    .conv_transpose2d_backward = conv_transpose2d_backward,
    .batchnorm_forward_train = batchnorm_forward_train,
    .batchnorm_backward = batchnorm_backward,
};

// out = conv(x) on a tape, 1 -> 2 channels, 3x3 kernel, on a 5x5 image.
static void conv_on(Tape *tp, float out[2 * 5 * 5]) {
    tape_reset(tp);
    Tensor *x = tape_tensor(tp, 4, (int[]){1, 1, 5, 5}, 0);
    Tensor *w = tape_tensor(tp, 4, (int[]){2, 1, 3, 3}, 0);
    for (long i = 0; i < x->size; i++) x->data[i] = 0.1f * (float)(i % 7);
    for (long i = 0; i < w->size; i++) w->data[i] = 0.05f * (float)(i % 5) - 0.1f;
    Tensor *y = tape_conv2d(tp, x, w, NULL, 1, 1);
    memcpy(out, y->data, sizeof(float) * y->size);
}

Test(tape_kernels, a_tapes_table_reaches_that_tape_only) {
    Tape mine, other;
    tape_init(&mine);
    tape_init(&other);
    float right[50], wrong[50], still_right[50];
    conv_on(&other, right);
    tape_set_kernels(&mine, &WRONG);
    conv_on(&mine, wrong);
    conv_on(&other, still_right);
    cr_assert(fabsf(wrong[0] - right[0] - 1.0f) < 1e-6f,
              "the tape with its own table did not run it: %g vs %g", wrong[0], right[0]);
    cr_assert(memcmp(right, still_right, sizeof right) == 0,
              "a table set on one tape changed another tape's convolution");
    tape_set_kernels(&mine, NULL);
    conv_on(&mine, wrong);
    cr_assert(memcmp(right, wrong, sizeof right) == 0, "tape_set_kernels(NULL) did not restore");
    tape_free(&mine);
    tape_free(&other);
}

// Class k: a bright square at one of 10 places (as in test_evaluator.c).
static void squares(Dataset *ds, int n, uint64_t seed) {
    Rng rng;
    rng_seed(&rng, seed);
    *ds = (Dataset){.n = n, .c = 1, .h = 28, .w = 28, .n_classes = EVAL_CLASSES};
    ds->images = malloc(sizeof(float) * n * EVAL_PIXELS);
    ds->labels = malloc(sizeof(int) * n);
    for (int i = 0; i < n; i++) {
        int k = rng_int(&rng, EVAL_CLASSES);
        ds->labels[i] = k;
        float *img = ds->images + (long)i * EVAL_PIXELS;
        rng_fill_uniform(&rng, img, EVAL_PIXELS, -1.0f, -0.5f);
        for (int y = 4 + (k / 5) * 12; y < 9 + (k / 5) * 12; y++)
            for (int x = 1 + (k % 5) * 5; x < 6 + (k % 5) * 5; x++) img[y * 28 + x] = 1.0f;
    }
}

// The classifier's weights after a short training, into w (c.ps.size floats).
static float *trained_classifier(const Dataset *train, long *n) {
    Classifier c;
    classifier_init(&c, 5);
    ClassifierTraining cfg = classifier_default_training();
    cfg.epochs = 1;
    cfg.flip = 0;
    cfg.verbose = 0;
    Error err;
    cr_assert_eq(classifier_train(&c, train, NULL, &cfg, &err), 0, "classifier_train: %s", err.msg);
    *n = c.ps.size;
    float *w = malloc(sizeof(float) * c.ps.size);
    memcpy(w, c.ps.data, sizeof(float) * c.ps.size);
    classifier_free(&c);
    return w;
}

Test(tape_kernels, the_evaluator_never_runs_on_a_lessons_kernels) {
    Dataset train;
    squares(&train, 256, 1);
    long n, n2;
    float *library = trained_classifier(&train, &n);
    // The worst case: the wrong convolution as the whole process's table, and
    // as a lesson model's own.
    tape_use_kernels(&WRONG);
    Tape model;
    tape_init(&model);
    tape_set_kernels(&model, &WRONG);
    float *beside = trained_classifier(&train, &n2);
    tape_use_kernels(NULL);
    cr_assert_eq(n, n2, "the classifiers differ in size");
    long differ = 0;
    for (long i = 0; i < n; i++) differ += memcmp(&library[i], &beside[i], sizeof(float)) != 0;
    cr_assert_eq(differ, 0, "%ld of %ld classifier weights differ when trained beside a wrong "
                 "convolution: the instrument ran on the code it measures", differ, n);
    tape_free(&model);
    free(library);
    free(beside);
    dataset_free(&train);
}
