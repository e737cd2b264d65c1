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
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cgan.h"
#include "eval/fcdlog.h"
#include "data/image.h"
#include "train/trainloop.h"

#define GRID_COLS 10

typedef struct {
    L04Cgan gan;
    Dataset ds;
    Batcher batcher;
    Rng rng;                        // the data order, the noise and the fakes' classes
    int B;
    float *real, *z, *z_grid;       // one batch; the grid's noise (GRID_COLS, Z)
    int *real_labels, *fake_labels;
    float *z_eval;                  // (EVAL_FCD_SAMPLES, Z): the same every epoch
    int *eval_labels;               // sample i asks for class i mod K
    float accuracy, per_class[EVAL_CLASSES];
    const char *data_dir, *evaluator_path;
    FcdLog fl;
} Lesson;

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
    int K = l->gan.cfg.n_classes, Z = l->gan.cfg.z_dim, n = K * GRID_COLS;
    float *z = malloc(sizeof(float) * n * Z), *imgs = malloc(sizeof(float) * n * 28 * 28);
    int *labels = malloc(sizeof(int) * n);
    for (int i = 0; i < n; i++) {
        labels[i] = i / GRID_COLS;
        memcpy(z + (long)i * Z, l->z_grid + (long)(i % GRID_COLS) * Z, sizeof(float) * Z);
    }
    l04_generate(&l->gan, imgs, z, labels, n);
    int rc = image_write_grid(png, imgs, n, 1, 28, 28, GRID_COLS, err);
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
    Lesson *l = lesson;
    char path[OUTPUTS_PATH_LEN];
    snprintf(path, sizeof path, "%s/results.txt", loop->dir);
    FILE *f = fopen(path, "w");
    if (!f) return error_set(err, "%s: cannot write: %s", path, strerror(errno));
    for (int k = 0; k < 2; k++) {
        FILE *o = k ? f : stdout;
        fprintf(o, "steps %ld (%.2f epochs)\nFCD %.2f  (untrained G, the ceiling: %.2f; training "
                "vs test images, the floor: %.2f)\n", loop->step, train_epoch(loop), l->fl.fcd,
                l->fl.untrained, l->fl.ev.fcd_floor);
        fprintf(o, "samples classified as the requested class: %.1f%%\n", 100.0f * l->accuracy);
        for (int c = 0; c < EVAL_CLASSES; c++)
            fprintf(o, "  %-12s %5.1f%%\n", evaluator_class_names[c], 100.0f * l->per_class[c]);
        fprintf(o, "(the classifier is right on %.1f%% of the real test images)\n",
                100.0f * l->fl.ev.test_accuracy);
    }
    int rc = ferror(f) ? error_set(err, "%s: write error", path) : 0;
    fclose(f);
    train_add_file(loop, "results.txt", TRAIN_FILE_DATA);
    return rc;
}

static void close_logs(void *lesson, TrainLoop *loop) {
    (void)loop;
    fcdlog_close(&((Lesson *)lesson)->fl);
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

    Error err;
    if (fcdlog_load_training(&l.ds, &l.batcher, l.data_dir, 1, 0, args.batch, &err) != 0)
        return fprintf(stderr, "%s\n", err.msg), 1;
    rng_seed(&l.rng, (uint64_t)args.seed);
    L04Config cfg = l04_default_config();
    cfg.lr = args.lr;
    l04_cgan_init(&l.gan, &cfg, &l.rng);
    int B = l.B = args.batch, Z = cfg.z_dim, K = cfg.n_classes;
    // The grid's and the evaluation's noise come from their own seed, so they
    // are the same whatever the training draws (and after a resume).
    Rng fixed;
    rng_seed(&fixed, (uint64_t)args.seed + 1000);
    l.z_grid = malloc(sizeof(float) * GRID_COLS * Z);
    l.z_eval = malloc(sizeof(float) * EVAL_FCD_SAMPLES * Z);
    l.eval_labels = malloc(sizeof(int) * EVAL_FCD_SAMPLES);
    rng_fill_normal(&fixed, l.z_grid, GRID_COLS * Z, 0.0f, 1.0f);
    rng_fill_normal(&fixed, l.z_eval, EVAL_FCD_SAMPLES * Z, 0.0f, 1.0f);
    for (int i = 0; i < EVAL_FCD_SAMPLES; i++) l.eval_labels[i] = i % K;
    l.real = malloc(sizeof(float) * B * 28 * 28), l.z = malloc(sizeof(float) * B * Z);
    l.real_labels = malloc(sizeof(int) * B), l.fake_labels = malloc(sizeof(int) * B);
    int per_epoch = batcher_batches_per_epoch(&l.batcher);
    printf("cGAN: %d images of %d classes, G %d-%d-%d-%d, D %d-%d-%d-1 with a %dx%d projection, "
           "batch %d, lr %g, %d steps an epoch\n", l.ds.n, K, Z + K, cfg.g_hidden[0],
           cfg.g_hidden[1], 28 * 28, 28 * 28 + K, cfg.d_hidden[0], cfg.d_hidden[1], K,
           cfg.d_hidden[1], B, cfg.lr, per_epoch);

    TrainSpec spec = {
        .lesson = &l, .step = step, .sample = sample, .evaluate = evaluate, .start = start,
        .finish = finish, .close = close_logs,
        .log_columns = "loss_d,loss_g,d_real,d_fake", .progress_labels = "D,G,D(x),D(G(z))",
        .log_every = 50, .steps_per_epoch = per_epoch,
        .at_epoch_end = TRAIN_AT_EPOCH_SAMPLE | TRAIN_AT_EPOCH_EVAL | TRAIN_AT_EPOCH_CHECKPOINT |
                        TRAIN_AT_EPOCH_LOG,
        .images_per_step = B, .meta = "lesson 04 cgan",
    };
    static TrainLoop loop;
    train_init(&loop, &args, NULL, &spec);
    train_add_network(&loop, "G", &l.gan.ps_g, &l.gan.opt_g);
    train_add_network(&loop, "D", &l.gan.ps_d, &l.gan.opt_d);
    train_add_rng(&loop, "rng", &l.rng);
    train_add_batcher(&loop, "batches", &l.batcher);
    train_add_plot(&loop, "loss.png", "loss.csv", "loss_d,loss_g",
                   "cGAN on Fashion-MNIST: the two losses", NULL);
    train_add_plot(&loop, "d_outputs.png", "loss.csv", "d_real,d_fake",
                   "mean D(x, y) and D(G(z, y), y)", "D output");
    train_add_line_plot(&loop, "accuracy.png", "eval.csv", "epoch", "class_accuracy",
                        "samples the classifier sees as the requested class", "fraction", 0);
    int rc = train_main(&loop);

    free(l.real), free(l.z), free(l.z_grid), free(l.z_eval);
    free(l.real_labels), free(l.fake_labels), free(l.eval_labels);
    batcher_free(&l.batcher);
    l04_cgan_free(&l.gan);
    dataset_free(&l.ds);
    return rc;
}
