// test_evaluator.c - the classifier behind FCD (evaluator.h): batching does
// not change its features, it learns a set it can separate, its weights
// survive a save and load, and the per-class accuracy counts what it should.
// The real Fashion-MNIST classifier is checked by `make evaluator` (accuracy
// on the test set), not here: tests must not depend on a trained cache.
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "eval/evaluator.h"

TestSuite(evaluator, .timeout = 120);

static float *random_images(int n, uint64_t seed) {
    Rng rng;
    rng_seed(&rng, seed);
    float *x = malloc(sizeof(float) * n * EVAL_PIXELS);
    rng_fill_uniform(&rng, x, n * EVAL_PIXELS, -1.0f, 1.0f);
    return x;
}

Test(evaluator, features_do_not_depend_on_the_batching) {
    enum { N = 1234 };   // more than one internal batch, and a short last one
    Classifier c;
    classifier_init(&c, 3);
    float *x = random_images(N, 1);
    float *all = malloc(sizeof(float) * N * EVAL_FEATURES);
    float *part = malloc(sizeof(float) * N * EVAL_FEATURES);
    classifier_features(&c, all, x, N);
    for (int i = 0; i < N; i += 7) {
        int b = N - i < 7 ? N - i : 7;
        classifier_features(&c, part + (long)i * EVAL_FEATURES, x + (long)i * EVAL_PIXELS, b);
    }
    check_close("features in batches of 7 vs all at once", part, all, (long)N * EVAL_FEATURES,
                1e-6f, 1e-5f);
    long nonzero = 0;
    for (long i = 0; i < (long)N * EVAL_FEATURES; i++) nonzero += all[i] != 0.0f;
    cr_assert(nonzero > N, "the features are almost all zero (%ld nonzero)", nonzero);
    free(x);
    free(all);
    free(part);
    classifier_free(&c);
}

// Class k: a bright 5x5 square at one of 10 places that do not overlap, on a
// noisy dark background.
static void separable_set(Dataset *ds, int n, uint64_t seed) {
    Rng rng;
    rng_seed(&rng, seed);
    ds->n = n;
    ds->c = 1;
    ds->h = ds->w = 28;
    ds->n_classes = EVAL_CLASSES;
    ds->images = malloc(sizeof(float) * n * EVAL_PIXELS);
    ds->labels = malloc(sizeof(int) * n);
    for (int i = 0; i < n; i++) {
        int k = rng_int(&rng, EVAL_CLASSES);
        ds->labels[i] = k;
        float *img = ds->images + (long)i * EVAL_PIXELS;
        rng_fill_uniform(&rng, img, EVAL_PIXELS, -1.0f, -0.5f);
        int y0 = 4 + (k / 5) * 12, x0 = 1 + (k % 5) * 5;
        for (int y = y0; y < y0 + 5; y++)
            for (int x = x0; x < x0 + 5; x++) img[y * 28 + x] = 1.0f;
    }
}

Test(evaluator, learns_a_separable_set) {
    Dataset train, test;
    separable_set(&train, 640, 1);
    separable_set(&test, 200, 2);
    Classifier c;
    classifier_init(&c, 5);
    ClassifierTraining cfg = classifier_default_training();
    cfg.epochs = 6;
    cfg.lr = 3e-3f;
    cfg.flip = 0;   // the squares' places are not mirror-symmetric
    cfg.verbose = 0;
    Error err;
    cr_assert(classifier_train(&c, &train, NULL, &cfg, &err) == 0, "classifier_train: %s", err.msg);
    int *pred = malloc(sizeof(int) * test.n);
    classifier_predict(&c, pred, test.images, test.n);
    int right = 0;
    for (int i = 0; i < test.n; i++) right += pred[i] == test.labels[i];
    cr_assert(right >= 190, "accuracy on a separable set: expected >= 95%%, got %d of %d", right,
              test.n);
    free(pred);
    classifier_free(&c);
    dataset_free(&train);
    dataset_free(&test);
}

Test(evaluator, weights_survive_save_and_load) {
    char path[] = "/tmp/test_evaluator_XXXXXX";
    int fd = mkstemp(path);
    cr_assert(fd >= 0, "mkstemp failed");
    close(fd);
    Classifier a, b;
    classifier_init(&a, 1);
    classifier_init(&b, 2);
    Error err;
    cr_assert(classifier_save(&a, path, &err) == 0, "classifier_save: %s", err.msg);
    cr_assert(classifier_load(&b, path, &err) == 0, "classifier_load: %s", err.msg);
    cr_assert(memcmp(a.ps.data, b.ps.data, sizeof(float) * a.ps.size) == 0,
              "the loaded weights differ from the saved ones");
    FILE *f = fopen(path, "wb");
    fputs("not a checkpoint", f);
    fclose(f);
    cr_assert(classifier_load(&b, path, &err) == -1, "a file that is not a checkpoint must fail");
    cr_assert(strstr(err.msg, path) != NULL, "the message names the file: %s", err.msg);
    remove(path);
    classifier_free(&a);
    classifier_free(&b);
}

Test(evaluator, accuracy_counts_per_requested_class) {
    enum { N = 300 };
    Evaluator ev;
    memset(&ev, 0, sizeof ev);
    classifier_init(&ev.net, 4);
    float *x = random_images(N, 9);
    int pred[N], labels[N], asked[EVAL_CLASSES] = {0}, hit[EVAL_CLASSES] = {0};
    classifier_predict(&ev.net, pred, x, N);
    // Every third image asks for the class it is seen as, the others for the next one.
    for (int i = 0; i < N; i++) {
        labels[i] = i % 3 == 0 ? pred[i] : (pred[i] + 1) % EVAL_CLASSES;
        asked[labels[i]]++;
        hit[labels[i]] += i % 3 == 0;
    }
    float per_class[EVAL_CLASSES];
    float acc = evaluator_accuracy(&ev, per_class, x, labels, N);
    cr_assert(acc == 100.0f / N, "accuracy: expected 1/3, got %g", acc);
    for (int k = 0; k < EVAL_CLASSES; k++) {
        float want = asked[k] ? (float)hit[k] / asked[k] : 0.0f;
        cr_assert(per_class[k] == want, "class %d: expected %g (%d of %d), got %g", k, want,
                  hit[k], asked[k], per_class[k]);
    }
    free(x);
    classifier_free(&ev.net);
}

Test(evaluator, open_says_which_file_is_missing) {
    Evaluator ev;
    Error err;
    cr_assert(evaluator_open(&ev, "/nonexistent/fashion", "/nonexistent/cache.ckpt", &err) == -1,
              "evaluator_open with no data must fail");
    cr_assert(strstr(err.msg, "/nonexistent/fashion") != NULL, "the message names the data: %s",
              err.msg);
}
