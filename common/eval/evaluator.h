// evaluator.h - a number for sample quality: the course's own Fashion-MNIST
// classifier, and the Fréchet distance between its features of generated and
// of real images (FCD, the Fréchet Classifier Distance; FID with this
// classifier in place of Inception).
//
// The classifier is a small conv net (two 5x5 stride-2 convolutions, 16 and
// 32 channels, then 128 ReLU units and the 10 logits), trained by the course
// itself (`make evaluator`, or the first lesson run that needs it) and cached
// in EVALUATOR_DEFAULT_PATH. Its penultimate layer, the 128 ReLU outputs the
// last layer reads, is the feature vector. Small, because FCD is measured on
// 10,000 images after every epoch of every lesson: forward passes only, in
// batches, under no_grad. (An MLP is cheaper still but stays under 90% test
// accuracy: 87.6% after 10 epochs, measured.)
//
// How a program uses it (lessons 02-04 do this through common/eval/fcdlog.h, which
// also logs and plots the FCD over a run):
//
//     Evaluator ev;
//     if (evaluator_open(&ev, data_dir, EVALUATOR_DEFAULT_PATH, &err) != 0) ...
//     // a missing classifier is trained first (about 2 minutes of CPU; it says so)
//     // ev.fcd_floor: FCD of 10,000 training images against the test images
//     float *imgs = malloc(sizeof(float) * EVAL_FCD_SAMPLES * EVAL_PIXELS);
//     ... G writes EVAL_FCD_SAMPLES images (N, 1, 28, 28) in [-1, 1] into imgs ...
//     double fcd;
//     if (evaluator_fcd(&fcd, &ev, imgs, EVAL_FCD_SAMPLES, &err) != 0) ...
//     float per_class[EVAL_CLASSES];   // lesson 04: were the requested classes drawn?
//     float acc = evaluator_accuracy(&ev, per_class, imgs, labels, EVAL_FCD_SAMPLES);
//     evaluator_close(&ev);
//
// The FCD of an untrained G (the ceiling) is simply the FCD at step 0.
//
// Dimension letters: N images, B batch, F = EVAL_FEATURES, K = EVAL_CLASSES.
#ifndef EVALUATOR_H
#define EVALUATOR_H

#include "data/dataset.h"
#include "util/error.h"
#include "eval/frechet.h"
#include "nn/layers.h"

#define EVAL_PIXELS (28 * 28)
#define EVAL_CONV1 16
#define EVAL_CONV2 32
#define EVAL_FEATURES 128
#define EVAL_CLASSES 10
// Both sets of an FCD hold this many images: the bias of the Fréchet
// distance depends on N, so every FCD of the course uses the same N.
#define EVAL_FCD_SAMPLES 10000
// Relative to the folder the programs run in (the repository's root, where
// `make run` runs them); a lesson may offer a flag to change it.
#define EVALUATOR_DEFAULT_PATH "build/evaluator/classifier.ckpt"
#define EVALUATOR_DEFAULT_DATA "/usr/share/datasets/fashion-mnist"

// ---------------------------------------------------------------- the classifier

typedef struct {
    ParamSet ps;
    Conv2d conv1;   // (1, 28, 28) -> (EVAL_CONV1, 14, 14), 5x5 stride 2, ReLU
    Conv2d conv2;   // -> (EVAL_CONV2, 7, 7), 5x5 stride 2, ReLU
    Linear fc;      // (EVAL_CONV2 * 49) -> (EVAL_FEATURES), ReLU: the features
    Linear out;     // (EVAL_FEATURES) -> (EVAL_CLASSES) logits
    Tape tape;      // its own, so that it never disturbs a lesson's tape
} Classifier;

typedef struct {
    int epochs;      // passes over the training set
    int batch;
    float lr;        // Adam's, with betas 0.9, 0.999
    float dropout;   // on the features, in training only
    int flip;        // 1: mirror half of each batch left-right (garments are symmetric)
    int seed;
    int verbose;     // 1: a progress line and one line per epoch on stderr
} ClassifierTraining;

// The settings `make evaluator` trains with.
ClassifierTraining classifier_default_training(void);

// An untrained classifier, weights drawn from seed: He initialisation,
// N(0, 2 / fan_in), biases 0.
void classifier_init(Classifier *c, int seed);
void classifier_free(Classifier *c);

// Trains on a labelled set of (N, 1, 28, 28) images with one binary
// cross-entropy per class (the library's BCE on the one-hot target: lesson
// 01's loss, so the tape needs no softmax op), Adam with the rate decaying
// linearly over the epochs. test may be NULL; otherwise its accuracy is
// printed after each epoch when verbose.
int classifier_train(Classifier *c, const Dataset *train, const Dataset *test,
                     const ClassifierTraining *cfg, Error *err);

// Forward passes only (no_grad), in batches: any N.
// feat (N, EVAL_FEATURES) <- the penultimate layer of images (N, 1, 28, 28).
void classifier_features(Classifier *c, float *feat, const float *images, long n);
// pred (N) <- the class with the largest logit.
void classifier_predict(Classifier *c, int *pred, const float *images, long n);

int classifier_save(Classifier *c, const char *path, Error *err);
int classifier_load(Classifier *c, const char *path, Error *err);

// ---------------------------------------------------------------- the evaluator

typedef struct {
    Classifier net;
    Dataset test;            // the 10,000 Fashion-MNIST test images and labels
    FrechetStats test_stats; // of their features
    double fcd_floor;        // FCD(10,000 training images, test images): a perfect G's
    float test_accuracy;     // the classifier's, on the test images
} Evaluator;

// Trains a classifier with cfg on data_dir's training set (printing its
// progress and test accuracy on stderr) and saves it at cache_path, creating
// the folders on the way.
int evaluator_train(const char *data_dir, const char *cache_path, const ClassifierTraining *cfg,
                    Error *err);

// Loads the classifier from cache_path; when that file does not exist, says
// so on stderr, trains one on data_dir's training set (about 2 minutes of
// CPU) and saves it there (evaluator_train with classifier_default_training()).
// Then reads the test set and measures the floor and the test accuracy. Any
// other failure (an unreadable cache, missing data) returns -1 with err.
int evaluator_open(Evaluator *ev, const char *data_dir, const char *cache_path, Error *err);
void evaluator_close(Evaluator *ev);

// *fcd = the FCD of images (N, 1, 28, 28) in [-1, 1] against the test set.
// Use N = EVAL_FCD_SAMPLES so that numbers are comparable.
int evaluator_fcd(double *fcd, Evaluator *ev, const float *images, long n, Error *err);

// The fraction of images (N, 1, 28, 28) classified as labels (N); with
// per_class (EVAL_CLASSES) not NULL, also the fraction for each requested
// class (0 for a class never requested).
float evaluator_accuracy(Evaluator *ev, float *per_class, const float *images, const int *labels,
                         long n);

// The Fashion-MNIST class names, "T-shirt/top" .. "Ankle boot".
extern const char *const evaluator_class_names[EVAL_CLASSES];

#endif
