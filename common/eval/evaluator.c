// evaluator.c - see evaluator.h.
// B = batch, F = EVAL_FEATURES, K = EVAL_CLASSES, P = EVAL_PIXELS.
#include "eval/evaluator.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "train/checkpoint.h"
#include "data/image.h"
#include "nn/optim.h"
#include "train/progress.h"
#include "train/run.h"

const char *const evaluator_class_names[EVAL_CLASSES] = {
    "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
    "Sandal",      "Shirt",   "Sneaker",  "Bag",   "Ankle boot",
};

// Forward passes run this many images at a time: big enough for the GEMMs to
// run at full speed, small enough to keep the tape's arena at a few MB.
#define EVAL_BATCH 500

// ---------------------------------------------------------------- the classifier

ClassifierTraining classifier_default_training(void) {
    return (ClassifierTraining){
        .epochs = 6, .batch = 64, .lr = 2e-3f, .dropout = 0.2f, .flip = 1, .seed = 1234,
        .verbose = 1,
    };
}

void classifier_init(Classifier *c, int seed) {
    Rng rng;
    rng_seed(&rng, (uint64_t)seed);
    paramset_init(&c->ps);
    nn_conv2d_init(&c->conv1, &c->ps, "eval.conv1", 1, EVAL_CONV1, 5, 2, 2, 1, &rng);
    nn_conv2d_init(&c->conv2, &c->ps, "eval.conv2", EVAL_CONV1, EVAL_CONV2, 5, 2, 2, 1, &rng);
    nn_linear_init(&c->fc, &c->ps, "eval.fc", EVAL_CONV2 * 7 * 7, EVAL_FEATURES, 1, &rng);
    nn_linear_init(&c->out, &c->ps, "eval.out", EVAL_FEATURES, EVAL_CLASSES, 1, &rng);
    // He initialisation instead of the GANs' N(0, 0.02): each ReLU layer then
    // keeps its input's scale, and the classifier trains in a few epochs.
    for (int i = 0; i < c->ps.n_params; i++) {
        Tensor *t = c->ps.params[i];
        if (t->ndim < 2) continue;   // biases stay 0
        long fan_in = t->size / t->shape[0];
        rng_fill_normal(&rng, t->data, (int)t->size, 0.0f, sqrtf(2.0f / (float)fan_in));
    }
    tape_init(&c->tape);
    // The measuring instrument runs on the library's kernels, whatever a
    // lesson installs for the process or for its own model.
    tape_set_kernels(&c->tape, tape_library_kernels());
}

void classifier_free(Classifier *c) {
    tape_free(&c->tape);
    paramset_free(&c->ps);
}

// x (B, 1, 28, 28) -> the features (B, F); in training (rng not NULL) with dropout p.
static Tensor *features_forward(Classifier *c, Tensor *x, float p, Rng *rng) {
    Tape *tp = &c->tape;
    Tensor *h = tape_relu(tp, nn_conv2d_forward(tp, &c->conv1, x));   // (B, C1, 14, 14)
    h = tape_relu(tp, nn_conv2d_forward(tp, &c->conv2, h));           // (B, C2, 7, 7)
    h = tape_relu(tp, nn_linear_forward(tp, &c->fc, tensor_flatten(tp, h)));
    if (rng && p > 0.0f) h = tape_dropout(tp, h, p, rng);
    return h;
}

// Runs the network on images[start .. start+b) under no_grad; returns the
// features (b, F) and, through logits, the logits (b, K) when wanted.
static Tensor *forward_batch(Classifier *c, Tensor **logits, const float *images, long start,
                             int b) {
    tape_reset(&c->tape);
    Tensor *x = tape_tensor(&c->tape, 4, (int[]){b, 1, 28, 28}, 0);
    memcpy(x->data, images + start * EVAL_PIXELS, sizeof(float) * b * EVAL_PIXELS);
    Tensor *feat = features_forward(c, x, 0.0f, NULL);
    if (logits) *logits = nn_linear_forward(&c->tape, &c->out, feat);
    return feat;
}

void classifier_features(Classifier *c, float *feat, const float *images, long n) {
    int was = tape_set_no_grad(&c->tape, 1);
    for (long i = 0; i < n; i += EVAL_BATCH) {
        int b = n - i < EVAL_BATCH ? (int)(n - i) : EVAL_BATCH;
        Tensor *f = forward_batch(c, NULL, images, i, b);
        memcpy(feat + i * EVAL_FEATURES, f->data, sizeof(float) * b * EVAL_FEATURES);
    }
    tape_set_no_grad(&c->tape, was);
}

void classifier_predict(Classifier *c, int *pred, const float *images, long n) {
    int was = tape_set_no_grad(&c->tape, 1);
    for (long i = 0; i < n; i += EVAL_BATCH) {
        int b = n - i < EVAL_BATCH ? (int)(n - i) : EVAL_BATCH;
        Tensor *logits;
        forward_batch(c, &logits, images, i, b);
        for (int r = 0; r < b; r++) {
            const float *l = logits->data + (long)r * EVAL_CLASSES;
            int best = 0;
            for (int k = 1; k < EVAL_CLASSES; k++)
                if (l[k] > l[best]) best = k;
            pred[i + r] = best;
        }
    }
    tape_set_no_grad(&c->tape, was);
}

// The fraction of ds classified correctly.
static float dataset_accuracy(Classifier *c, const Dataset *ds) {
    int *pred = malloc(sizeof(int) * ds->n);
    if (!pred) return 0.0f;
    classifier_predict(c, pred, ds->images, ds->n);
    long right = 0;
    for (int i = 0; i < ds->n; i++) right += pred[i] == ds->labels[i];
    free(pred);
    return (float)right / ds->n;
}

static int check_labelled(const Dataset *ds, const char *what, Error *err) {
    if (!ds->labels || ds->n_classes > EVAL_CLASSES || ds->c != 1 || ds->h != 28 || ds->w != 28)
        return error_set(err, "classifier: the %s set must be labelled 28x28 gray images of at "
                         "most %d classes; got %dx%dx%d, %d classes", what, EVAL_CLASSES, ds->c,
                         ds->h, ds->w, ds->n_classes);
    return 0;
}

int classifier_train(Classifier *c, const Dataset *train, const Dataset *test,
                     const ClassifierTraining *cfg, Error *err) {
    if (check_labelled(train, "training", err) != 0) return -1;
    if (test && check_labelled(test, "test", err) != 0) return -1;
    int B = cfg->batch;
    Rng rng;
    rng_seed(&rng, (uint64_t)cfg->seed);
    Batcher batcher;
    if (batcher_init(&batcher, train, B, 1, err) != 0) return -1;
    Optimizer opt;
    optim_adam_init(&opt, &c->ps, cfg->lr, 0.9f, 0.999f, 1e-8f);
    float *x = malloc(sizeof(float) * B * EVAL_PIXELS);
    int *y = malloc(sizeof(int) * B);
    if (!x || !y) {
        free(x);
        free(y);
        optim_free(&opt);
        batcher_free(&batcher);
        return error_set(err, "classifier_train: out of memory for a batch of %d", B);
    }

    int per_epoch = batcher_batches_per_epoch(&batcher);
    Progress prog;
    if (cfg->verbose)
        progress_init(&prog, stderr, 0, (long)cfg->epochs * per_epoch, B, 10.0);
    long step = 0;
    float img[EVAL_PIXELS];
    for (int epoch = 0; epoch < cfg->epochs; epoch++) {
        double t0 = progress_now(), loss_sum = 0.0;
        // Linear decay: the last epochs take small steps and settle in a minimum.
        opt.lr = cfg->lr * (float)(cfg->epochs - epoch) / (float)cfg->epochs;
        while (batcher_next(&batcher, x, y, &rng) == B) {
            if (cfg->flip)
                for (int i = 0; i < B; i++)
                    if (rng_uniform(&rng) < 0.5f) {
                        image_flip_horizontal(img, x + (long)i * EVAL_PIXELS, 1, 28, 28);
                        memcpy(x + (long)i * EVAL_PIXELS, img, sizeof img);
                    }
            tape_reset(&c->tape);
            paramset_zero_grad(&c->ps);
            Tensor *xt = tape_tensor(&c->tape, 4, (int[]){B, 1, 28, 28}, 0);
            memcpy(xt->data, x, sizeof(float) * B * EVAL_PIXELS);
            Tensor *logits =
                nn_linear_forward(&c->tape, &c->out, features_forward(c, xt, cfg->dropout, &rng));
            Tensor *target = tape_full_like(&c->tape, logits, 0.0f);
            for (int i = 0; i < B; i++) target->data[i * EVAL_CLASSES + y[i]] = 1.0f;
            Tensor *loss = tape_bce_with_logits(&c->tape, logits, target);
            tape_backward(&c->tape, loss);
            optim_step(&opt, &c->ps);
            loss_sum += loss->data[0];
            step++;
            if (cfg->verbose)
                progress_update(&prog, step, "classifier epoch %d  loss %.4f", epoch + 1,
                                loss->data[0]);
        }
        if (cfg->verbose) {
            progress_done(&prog);
            fprintf(stderr, "classifier: epoch %d/%d  mean loss %.4f", epoch + 1, cfg->epochs,
                    loss_sum / per_epoch);
            if (test) fprintf(stderr, "  test accuracy %.4f", dataset_accuracy(c, test));
            fprintf(stderr, "  (%.1f s)\n", progress_now() - t0);
        }
    }
    tape_reset(&c->tape);
    free(x);
    free(y);
    optim_free(&opt);
    batcher_free(&batcher);
    return 0;
}

// Creates the folder that holds path, and its parents.
static int make_parent_dirs(const char *path, Error *err) {
    char dir[1024];
    if (snprintf(dir, sizeof dir, "%s", path) >= (int)sizeof dir)
        return error_set(err, "%s: the path is too long", path);
    char *slash = strrchr(dir, '/');
    if (!slash || slash == dir) return 0;   // in the current folder, or in /
    *slash = '\0';
    return run_mkdir(dir, err);
}

int classifier_save(Classifier *c, const char *path, Error *err) {
    if (make_parent_dirs(path, err) != 0) return -1;
    CheckpointModel model = {"classifier", &c->ps, NULL};
    CheckpointInfo info = {0};
    snprintf(info.meta, sizeof info.meta, "Fashion-MNIST classifier: conv %d, conv %d, fc %d, %d "
             "(evaluator.h)", EVAL_CONV1, EVAL_CONV2, EVAL_FEATURES, EVAL_CLASSES);
    return checkpoint_save(path, &model, 1, &info, NULL, err);
}

int classifier_load(Classifier *c, const char *path, Error *err) {
    CheckpointModel model = {"classifier", &c->ps, NULL};
    return checkpoint_load(path, &model, 1, NULL, NULL, err);
}

// ---------------------------------------------------------------- the evaluator

// FrechetStats of the features of images (N, 1, 28, 28).
static int feature_stats(FrechetStats *s, Classifier *c, const float *images, long n, Error *err) {
    float *feat = malloc(sizeof(float) * n * EVAL_FEATURES);
    if (!feat) return error_set(err, "evaluator: out of memory for the features of %ld images", n);
    classifier_features(c, feat, images, n);
    int rc = frechet_stats(s, feat, n, EVAL_FEATURES, err);
    free(feat);
    return rc;
}

static int load_split(Dataset *ds, const char *data_dir, const char *split, Error *err) {
    char images[1100], labels[1100];
    snprintf(images, sizeof images, "%s/%s-images-idx3-ubyte.gz", data_dir, split);
    snprintf(labels, sizeof labels, "%s/%s-labels-idx1-ubyte.gz", data_dir, split);
    if (dataset_load_idx(ds, images, labels, 0, 28, 28, EVAL_CLASSES, err) != 0) return -1;
    if (check_labelled(ds, split, err) != 0) {
        dataset_free(ds);
        return -1;
    }
    return 0;
}

int evaluator_train(const char *data_dir, const char *cache_path, const ClassifierTraining *cfg,
                    Error *err) {
    Dataset train, test;
    if (load_split(&train, data_dir, "train", err) != 0) return -1;
    if (load_split(&test, data_dir, "t10k", err) != 0) {
        dataset_free(&train);
        return -1;
    }
    Classifier c;
    classifier_init(&c, cfg->seed);
    double t0 = progress_now();
    int rc = classifier_train(&c, &train, &test, cfg, err);
    if (rc == 0) rc = classifier_save(&c, cache_path, err);
    if (rc == 0)
        fprintf(stderr, "evaluator: trained in %.0f s, test accuracy %.4f, saved %s\n",
                progress_now() - t0, dataset_accuracy(&c, &test), cache_path);
    classifier_free(&c);
    dataset_free(&train);
    dataset_free(&test);
    return rc;
}

int evaluator_open(Evaluator *ev, const char *data_dir, const char *cache_path, Error *err) {
    memset(ev, 0, sizeof *ev);
    struct stat st;
    if (stat(cache_path, &st) != 0) {
        fprintf(stderr, "evaluator: no classifier at %s; training one on the Fashion-MNIST "
                "training set first (a few minutes, once)\n", cache_path);
        ClassifierTraining cfg = classifier_default_training();
        if (evaluator_train(data_dir, cache_path, &cfg, err) != 0) return -1;
    }
    if (load_split(&ev->test, data_dir, "t10k", err) != 0) return -1;
    classifier_init(&ev->net, 0);
    if (classifier_load(&ev->net, cache_path, err) != 0) goto fail;

    // The floor: as many training images as test images, the same N.
    Dataset train;
    char images[1100];
    snprintf(images, sizeof images, "%s/train-images-idx3-ubyte.gz", data_dir);
    if (dataset_load_idx(&train, images, NULL, ev->test.n, 28, 28, 0, err) != 0) goto fail;
    FrechetStats train_stats;
    int rc = feature_stats(&ev->test_stats, &ev->net, ev->test.images, ev->test.n, err);
    if (rc == 0) rc = feature_stats(&train_stats, &ev->net, train.images, train.n, err);
    dataset_free(&train);
    if (rc != 0) goto fail;
    rc = frechet_distance(&ev->fcd_floor, &train_stats, &ev->test_stats, err);
    frechet_stats_free(&train_stats);
    if (rc != 0) goto fail;
    ev->test_accuracy = dataset_accuracy(&ev->net, &ev->test);
    return 0;

fail:
    evaluator_close(ev);
    return -1;
}

void evaluator_close(Evaluator *ev) {
    frechet_stats_free(&ev->test_stats);
    dataset_free(&ev->test);
    classifier_free(&ev->net);
}

int evaluator_fcd(double *fcd, Evaluator *ev, const float *images, long n, Error *err) {
    FrechetStats s;
    if (feature_stats(&s, &ev->net, images, n, err) != 0) return -1;
    int rc = frechet_distance(fcd, &s, &ev->test_stats, err);
    frechet_stats_free(&s);
    return rc;
}

float evaluator_accuracy(Evaluator *ev, float *per_class, const float *images, const int *labels,
                         long n) {
    int *pred = malloc(sizeof(int) * n);
    if (!pred) return 0.0f;
    classifier_predict(&ev->net, pred, images, n);
    long right = 0, asked[EVAL_CLASSES] = {0}, hit[EVAL_CLASSES] = {0};
    for (long i = 0; i < n; i++) {
        int y = labels[i];
        right += pred[i] == y;
        if (y >= 0 && y < EVAL_CLASSES) {
            asked[y]++;
            hit[y] += pred[i] == y;
        }
    }
    if (per_class)
        for (int k = 0; k < EVAL_CLASSES; k++)
            per_class[k] = asked[k] ? (float)hit[k] / asked[k] : 0.0f;
    free(pred);
    return n ? (float)right / n : 0.0f;
}
