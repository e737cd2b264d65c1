// tools/evaluator.c - `make evaluator`: trains the course's Fashion-MNIST
// classifier (common/eval/evaluator.h) once and caches it, then prints what every
// lesson's FCD is measured against: the classifier's test accuracy, the FCD
// floor (training images against test images) and, for scale, the FCD of
// pure noise. Lesson programs train the classifier themselves when the cache
// is missing; this program is the way to do it ahead of time, or again.
//
//     make evaluator                              (trains only when missing)
//     make evaluator ARGS="--retrain"
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "train/args.h"
#include "eval/evaluator.h"
#include "kernels/gemm.h"
#include "train/progress.h"

int main(int argc, char **argv) {
    Args args;
    args_init(&args, "evaluator", "train (once) and check the classifier behind FCD");
    const char *data_dir = EVALUATOR_DEFAULT_DATA;
    const char *cache = EVALUATOR_DEFAULT_PATH;
    int retrain = 0;
    args_add_string(&args, "data", &data_dir, "folder of the Fashion-MNIST IDX files");
    args_add_string(&args, "cache", &cache, "where the classifier's weights are kept");
    args_add_bool(&args, "retrain", &retrain, "train again even when the cache exists");
    ClassifierTraining cfg = classifier_default_training();
    args.epochs = cfg.epochs;
    args.batch = cfg.batch;
    args.lr = cfg.lr;
    args.seed = cfg.seed;
    args_add_float(&args, "dropout", &cfg.dropout, "dropout after each hidden layer");
    int code = args_parse_or_usage(&args, argc, argv);
    if (code >= 0) return code;   // --help, or a wrong flag
    compute_set_threads(args.threads);

    cfg.epochs = args.epochs;
    cfg.batch = args.batch;
    cfg.lr = args.lr;
    cfg.seed = args.seed;
    double t0 = progress_now();
    Error err;
    struct stat st;
    if ((retrain || stat(cache, &st) != 0) && evaluator_train(data_dir, cache, &cfg, &err) != 0) {
        fprintf(stderr, "%s\n", err.msg);
        return 1;
    }
    Evaluator ev;
    if (evaluator_open(&ev, data_dir, cache, &err) != 0) {
        fprintf(stderr, "%s\n", err.msg);
        return 1;
    }
    float *noise = malloc(sizeof(float) * EVAL_FCD_SAMPLES * EVAL_PIXELS);
    Rng rng;
    rng_seed(&rng, 1);
    rng_fill_uniform(&rng, noise, EVAL_FCD_SAMPLES * EVAL_PIXELS, -1.0f, 1.0f);
    double fcd_noise;
    int rc = evaluator_fcd(&fcd_noise, &ev, noise, EVAL_FCD_SAMPLES, &err);
    free(noise);
    if (rc != 0) {
        fprintf(stderr, "%s\n", err.msg);
        evaluator_close(&ev);
        return 1;
    }
    float per_class[EVAL_CLASSES];
    evaluator_accuracy(&ev, per_class, ev.test.images, ev.test.labels, ev.test.n);
    printf("classifier: %s (conv %d, conv %d, fc %d, %d classes)\n", cache, EVAL_CONV1, EVAL_CONV2,
           EVAL_FEATURES, EVAL_CLASSES);
    printf("test accuracy: %.4f\n", ev.test_accuracy);
    for (int k = 0; k < EVAL_CLASSES; k++)
        printf("  %-12s %.3f\n", evaluator_class_names[k], per_class[k]);
    printf("FCD floor (10,000 training vs 10,000 test images): %.3f\n", ev.fcd_floor);
    printf("FCD of uniform noise in [-1, 1] vs the test images: %.1f\n", fcd_noise);
    printf("done in %.0f s\n", progress_now() - t0);
    evaluator_close(&ev);
    return 0;
}
