// main.c - lesson 04's program: a conditional GAN on Fashion-MNIST, "the
// garment I want", trained with your exercises 4.1-4.4 (cgan_exercises.c);
// with an unfinished exercise it stops and names it. The training loop
// (common/train/trainloop.h) does the rest: checkpoints, --resume, Ctrl-C, logs,
// curves and report.html. What this file adds: the step, the sample (a 10x10
// grid, row k of class k, column j from the same noise z_j, after each
// epoch) and the evaluation (10,000 samples, 1,000 per class: their FCD and
// how often the course's classifier sees the requested class, eval.csv,
// fcd.png, accuracy.png; results.txt at the end).
//
//     make run LESSON=04                    (your code)
//     make run LESSON=04 SOLUTIONS=1        (the reference)
//     make run LESSON=04 ARGS="--epochs 2"  (or --steps N: N steps)
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cgan_run.h"
#include "data/image.h"

typedef L04Run Lesson;   // the data, the cGAN, the fixed noise, the FCD log (cgan_run.h)

static int step(void *lesson, TrainLoop *loop, float *v, Error *err) {
    (void)loop, (void)err;
    Lesson *l = lesson;
    int B = l->B, Z = l->gan.cfg.z_dim, K = l->gan.cfg.n_classes;
    if (batcher_next(&l->batcher, l->real, l->real_labels, &l->rng) != B)   // a new epoch
        batcher_next(&l->batcher, l->real, l->real_labels, &l->rng);
    // Fakes ask for classes drawn uniformly, as the data holds them.
    rng_fill_normal(&l->rng, l->z, B * Z, 0.0f, 1.0f);
    for (int i = 0; i < B; i++) l->fake_labels[i] = rng_int(&l->rng, K);
    v[0] = l04_d_step(&l->gan, &v[2], &v[3], l->real, l->real_labels, l->z, l->fake_labels, B);
    rng_fill_normal(&l->rng, l->z, B * Z, 0.0f, 1.0f);
    for (int i = 0; i < B; i++) l->fake_labels[i] = rng_int(&l->rng, K);
    v[1] = l04_g_step(&l->gan, l->z, l->fake_labels, B);
    return 0;
}

// Row k of the grid is class k; column j uses the noise z_grid[j] in every row.
static int sample(void *lesson, TrainLoop *loop, const char *png, Error *err) {
    (void)loop;
    Lesson *l = lesson;
    int K = l->gan.cfg.n_classes, Z = l->gan.cfg.z_dim, n = K * L04_GRID_COLS;
    float *z = l04_malloc(sizeof(float) * n * Z, "the grid's noise");
    float *imgs = l04_malloc(sizeof(float) * n * 28 * 28, "the grid's images");
    int *labels = l04_malloc(sizeof(int) * n, "the grid's classes");
    for (int i = 0; i < n; i++) {
        labels[i] = i / L04_GRID_COLS;
        memcpy(z + (long)i * Z, l->z_grid + (long)(i % L04_GRID_COLS) * Z, sizeof(float) * Z);
    }
    l04_generate(&l->gan, imgs, z, labels, n);
    int rc = image_write_grid(png, imgs, n, 1, 28, 28, L04_GRID_COLS, err);
    free(z), free(imgs), free(labels);
    return rc;
}

// FCD, and how often the classifier sees the requested class.
static int evaluate(void *lesson, TrainLoop *loop, Error *err) {
    Lesson *l = lesson;
    l04_generate(&l->gan, l->fl.images, l->z_eval, l->eval_labels, EVAL_FCD_SAMPLES);
    if (fcdlog_measure(&l->fl, err) != 0) return -1;
    l->accuracy = evaluator_accuracy(&l->fl.ev, l->per_class, l->fl.images, l->eval_labels,
                                     EVAL_FCD_SAMPLES);
    printf("step %ld: class accuracy %.1f%%\n", loop->step, 100.0f * l->accuracy);
    train_report_number(loop, "samples the classifier sees as the requested class", "%.1f%%",
                        100.0f * l->accuracy);
    return fcdlog_write_at(&l->fl, loop, (double[]){l->accuracy}, err);
}

static int start(void *lesson, TrainLoop *loop, Error *err) {
    Lesson *l = lesson;
    return fcdlog_start(&l->fl, loop, l->data_dir, l->evaluator_path, "epoch", "class_accuracy",
                        err);
}

// The closing numbers, on screen and in results.txt.
static int finish(void *lesson, TrainLoop *loop, Error *err) {
    return l04_run_results(lesson, loop, err);
}

int main(int argc, char **argv) {
    Args args;
    args_init(&args, "04_cgan", "a conditional GAN: the garment I want");
    args.steps = 0;     // counted in epochs unless --steps is given
    args.epochs = 10;
    args.batch = 64;
    args.lr = 5e-4f;
    // One thread: the MLPs' matrices (64 x 794 x 512 at most) keep one core
    // busy, and on a shared machine a second thread waiting for a busy core
    // stalls every GEMM (measured: 4x slower with 2 threads on a loaded 2-core box).
    args.threads = 1;
    Lesson l = {.data_dir = EVALUATOR_DEFAULT_DATA, .evaluator_path = EVALUATOR_DEFAULT_PATH};
    args_add_string(&args, "data", &l.data_dir, "folder of the Fashion-MNIST IDX files");
    args_add_string(&args, "evaluator", &l.evaluator_path,
                    "the classifier behind FCD (trained first when missing)");
    int code = args_parse_or_usage(&args, argc, argv);
    if (code >= 0) return code;   // --help, or a wrong flag
    if (args.steps < 0 || (args.steps == 0 && args.epochs < 1) || args.batch < 1)
        return args_usage_error(&args, "--steps >= 0 (0: --epochs >= 1 whole epochs), --batch >= 1");

    if (l04_run_init(&l, &args) != 0) return 1;
    int per_epoch = batcher_batches_per_epoch(&l.batcher);

    TrainSpec spec = {
        .lesson = &l, .step = step, .sample = sample, .evaluate = evaluate, .start = start,
        .finish = finish,
        .log_columns = TRAIN_GAN_COLUMNS, .progress_labels = "D,G,D(x),D(G(z))",
        .log_every = 50, .steps_per_epoch = per_epoch,
        .at_epoch_end = TRAIN_AT_EPOCH_SAMPLE | TRAIN_AT_EPOCH_EVAL | TRAIN_AT_EPOCH_CHECKPOINT |
                        TRAIN_AT_EPOCH_LOG,
        .images_per_step = args.batch, .meta = "lesson 04 cgan",
    };
    static TrainLoop loop;
    train_init(&loop, &args, NULL, &spec);
    train_add_gan(&loop, &l.gan.ps_g, &l.gan.opt_g, &l.gan.ps_d, &l.gan.opt_d, &l.rng, &l.batcher,
                  "cGAN on Fashion-MNIST: the two losses", "mean D(x, y) and D(G(z, y), y)");
    train_add_line_plot(&loop, "accuracy.png", "eval.csv", "epoch", "class_accuracy",
                        "samples the classifier sees as the requested class", "fraction", 0);
    int rc = train_main(&loop);

    l04_run_free(&l);
    return rc;
}
