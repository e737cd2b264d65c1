// main.c - lesson 04's program: a conditional GAN on Fashion-MNIST, "the
// garment I want", trained with your exercises 4.1-4.4 (cgan_exercises.c).
// With an unfinished exercise it stops and names it.
//
// Every epoch: a 10x10 grid (row k: class k, column j: the same noise z_j in
// every row), and the sample quality of 10,000 samples, 1,000 per class,
// measured by the course's classifier (common/evaluator.h, common/fcdlog.h):
// their FCD against the test images, and how often the classifier sees the
// requested class. Writes in the output folder: samples_epochNN.png,
// loss.csv, eval.csv (step, epoch, fcd, fcd_floor, fcd_untrained,
// class_accuracy), loss.png, d_outputs.png, fcd.png, accuracy.png,
// results.txt, checkpoint.bin (for --resume) and config.txt.
//
//     make run LESSON=04                    (your code)
//     make run LESSON=04 SOLUTIONS=1        (the reference)
//     make run LESSON=04 ARGS="--epochs 2"
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "args.h"
#include "cgan.h"
#include "checkpoint.h"
#include "csvlog.h"
#include "dataset.h"
#include "fcdlog.h"
#include "image.h"
#include "plot.h"
#include "progress.h"
#include "run.h"

#define PATH_LEN 1200
#define GRID_COLS 10
#define LOSS_HEADER "step,loss_d,loss_g,d_real,d_fake"

// ---------------------------------------------------------------- what a run shows

// Row k of the grid is class k; column j uses the noise z_fixed[j] in every row.
static int write_grid(L04Cgan *gan, const float *z_fixed, const char *dir, int epoch, Outputs *w,
                      Error *err) {
    int K = gan->cfg.n_classes, Z = gan->cfg.z_dim, X = gan->cfg.h * gan->cfg.w, n = K * GRID_COLS;
    float *z = malloc(sizeof(float) * n * Z), *imgs = malloc(sizeof(float) * n * X);
    int *labels = malloc(sizeof(int) * n);
    for (int k = 0; k < K; k++)
        for (int j = 0; j < GRID_COLS; j++) {
            labels[k * GRID_COLS + j] = k;
            memcpy(z + (long)(k * GRID_COLS + j) * Z, z_fixed + (long)j * Z, sizeof(float) * Z);
        }
    l04_generate(gan, imgs, z, labels, n);
    char png[PATH_LEN];
    snprintf(png, sizeof png, "%s/samples_epoch%02d.png", dir, epoch);
    int rc = image_write_grid(png, imgs, n, 1, gan->cfg.h, gan->cfg.w, GRID_COLS, err);
    if (rc == 0) outputs_add(w, png);
    free(z);
    free(imgs);
    free(labels);
    return rc;
}

// The samples every evaluation uses: the same EVAL_FCD_SAMPLES noise vectors
// and labels (sample i asks for class i mod K) each epoch, so that the FCD
// curve shows G changing, not the draw.
typedef struct {
    float *z;        // (N, Z)
    int *labels;     // (N)
} EvalSamples;

typedef struct {
    float accuracy;
    float per_class[EVAL_CLASSES];
} Accuracy;

// G's samples scored: FCD into fl (fl->fcd), class accuracy into acc.
static int measure(Accuracy *acc, L04Cgan *gan, FcdLog *fl, const EvalSamples *s, Error *err) {
    l04_generate(gan, fl->images, s->z, s->labels, EVAL_FCD_SAMPLES);
    if (fcdlog_measure(fl, err) != 0) return -1;
    acc->accuracy = evaluator_accuracy(&fl->ev, acc->per_class, fl->images, s->labels,
                                       EVAL_FCD_SAMPLES);
    return 0;
}

static void plot_all(const char *dir, const char *loss_csv, FcdLog *fl, Outputs *w) {
    char png[PATH_LEN];
    Error err;
    snprintf(png, sizeof png, "%s/loss.png", dir);
    if (plot_loss_curves(png, loss_csv, "loss_d,loss_g", "cGAN on Fashion-MNIST: the two losses",
                         NULL, &err) == 0) outputs_add(w, png);
    else fprintf(stderr, "no loss plot: %s\n", err.msg);
    snprintf(png, sizeof png, "%s/d_outputs.png", dir);
    if (plot_loss_curves(png, loss_csv, "d_real,d_fake", "mean D(x, y) and D(G(z, y), y)",
                         "D output", &err) == 0) outputs_add(w, png);
    else fprintf(stderr, "no D-output plot: %s\n", err.msg);
    fcdlog_plot(fl, w);
    snprintf(png, sizeof png, "%s/accuracy.png", dir);
    if (plot_lines(png, fl->csv, "epoch", "class_accuracy",
                   "samples the classifier sees as the requested class", "epoch", "fraction", 0,
                   &err) == 0) outputs_add(w, png);
    else fprintf(stderr, "no accuracy plot: %s\n", err.msg);
}

static int write_results(const char *path, const FcdLog *fl, const Accuracy *acc, int epochs,
                         double seconds, Error *err) {
    FILE *f = fopen(path, "w");
    if (!f) return error_set(err, "%s: cannot write: %s", path, strerror(errno));
    fprintf(f, "epochs %d, training and evaluation %.0f s\n", epochs, seconds);
    fprintf(f, "FCD %.2f  (untrained G, the ceiling: %.2f; training vs test images, the floor: "
            "%.2f)\n", fl->fcd, fl->untrained, fl->ev.fcd_floor);
    fprintf(f, "samples classified as the requested class: %.1f%%\n", 100.0f * acc->accuracy);
    for (int k = 0; k < EVAL_CLASSES; k++)
        fprintf(f, "  %-12s %5.1f%%\n", evaluator_class_names[k], 100.0f * acc->per_class[k]);
    fprintf(f, "(the classifier is right on %.1f%% of the real test images)\n",
            100.0f * fl->ev.test_accuracy);
    int rc = ferror(f) ? error_set(err, "%s: write error", path) : 0;
    fclose(f);
    return rc;
}

// ---------------------------------------------------------------- training

static int train(const Args *args, const char *data_dir, const char *evaluator_path, Outputs *w,
                 Error *err) {
    const char *dir = args->out;
    char path[PATH_LEN], loss_csv[PATH_LEN], ckpt[PATH_LEN];
    snprintf(ckpt, sizeof ckpt, "%s/checkpoint.bin", dir);
    snprintf(loss_csv, sizeof loss_csv, "%s/loss.csv", dir);

    Dataset ds;
    char labels_path[PATH_LEN];
    snprintf(path, sizeof path, "%s/train-images-idx3-ubyte.gz", data_dir);
    snprintf(labels_path, sizeof labels_path, "%s/train-labels-idx1-ubyte.gz", data_dir);
    printf("reading %s\n", path);
    if (dataset_load_idx(&ds, path, labels_path, 0, 28, 28, 10, err) != 0) return -1;

    Rng rng;
    rng_seed(&rng, (uint64_t)args->seed);
    L04Config cfg = l04_default_config();
    cfg.lr = args->lr;
    L04Cgan gan;
    l04_cgan_init(&gan, &cfg, &rng);
    int B = args->batch, Z = cfg.z_dim, K = cfg.n_classes, X = cfg.h * cfg.w;

    // The grid's and the evaluation's noise come from their own seeds, so
    // they are the same whatever the training draws (and after a resume).
    Rng fixed;
    rng_seed(&fixed, (uint64_t)args->seed + 1000);
    float *z_grid = malloc(sizeof(float) * GRID_COLS * Z);
    rng_fill_normal(&fixed, z_grid, GRID_COLS * Z, 0.0f, 1.0f);
    EvalSamples es = {
        .z = malloc(sizeof(float) * EVAL_FCD_SAMPLES * Z),
        .labels = malloc(sizeof(int) * EVAL_FCD_SAMPLES),
    };
    rng_fill_normal(&fixed, es.z, EVAL_FCD_SAMPLES * Z, 0.0f, 1.0f);
    for (int i = 0; i < EVAL_FCD_SAMPLES; i++) es.labels[i] = i % K;

    float *real = malloc(sizeof(float) * B * X), *z = malloc(sizeof(float) * B * Z);
    int *real_labels = malloc(sizeof(int) * B), *fake_labels = malloc(sizeof(int) * B);
    int rc = -1;
    Batcher batcher;
    CsvLog loss_log = {0};
    FcdLog fl;
    if (batcher_init(&batcher, &ds, B, 1, err) != 0) goto done;

    long step = 0;
    int epoch = 0;
    CheckpointModel models[2] = {{"G", &gan.ps_g, &gan.opt_g}, {"D", &gan.ps_d, &gan.opt_d}};
    if (args->resume) {
        CheckpointInfo info;
        if (checkpoint_load(ckpt, models, 2, &info, &rng, err) != 0) goto done_batcher;
        step = info.step;
        epoch = info.epoch;
        printf("resumed after epoch %d (step %ld) from %s\n", epoch, step, ckpt);
    }
    if (fcdlog_open(&fl, dir, data_dir, evaluator_path, "epoch", "class_accuracy",
                    args->resume ? step : -1, err) != 0)
        goto done_batcher;
    if (csvlog_open(&loss_log, loss_csv, LOSS_HEADER, args->resume ? step : -1, err) != 0)
        goto done_logs;

    int per_epoch = batcher_batches_per_epoch(&batcher);
    printf("cGAN: %d images of %d classes, G %d-%d-%d-%d, D %d-%d-%d-1 with a %dx%d projection, "
           "batch %d, lr %g, %d epochs of %d steps\n", ds.n, K, Z + K, cfg.g_hidden[0],
           cfg.g_hidden[1], X, X + K, cfg.d_hidden[0], cfg.d_hidden[1], K, cfg.d_hidden[1], B,
           cfg.lr, args->epochs, per_epoch);

    Accuracy acc;
    double t_train = progress_now();
    // Epoch 0: the untrained G, whose FCD is the ceiling. A resumed run
    // measures where it starts from too, for the results of a run that has
    // no epoch left to train.
    if (write_grid(&gan, z_grid, dir, epoch, w, err) != 0 || measure(&acc, &gan, &fl, &es, err) != 0)
        goto done_logs;
    if (epoch == 0 && fcdlog_write(&fl, 0, 0, (double[]){acc.accuracy}, err) != 0) goto done_logs;
    printf("epoch %d: class accuracy %.1f%%\n", epoch, 100.0f * acc.accuracy);

    Progress prog;
    progress_init(&prog, stderr, step, (long)args->epochs * per_epoch, B, 10.0);
    for (; epoch < args->epochs; epoch++) {
        double t0 = progress_now();
        while (batcher_next(&batcher, real, real_labels, &rng) == B) {
            float d_real, d_fake;
            // Fakes ask for classes drawn uniformly, as the data holds them.
            rng_fill_normal(&rng, z, B * Z, 0.0f, 1.0f);
            for (int i = 0; i < B; i++) fake_labels[i] = rng_int(&rng, K);
            float loss_d = l04_d_step(&gan, &d_real, &d_fake, real, real_labels, z, fake_labels, B);
            rng_fill_normal(&rng, z, B * Z, 0.0f, 1.0f);
            for (int i = 0; i < B; i++) fake_labels[i] = rng_int(&rng, K);
            float loss_g = l04_g_step(&gan, z, fake_labels, B);
            if (!isfinite(loss_d) || !isfinite(loss_g)) {
                progress_done(&prog);
                error_set(err, "the loss is not finite at step %ld (D %g, G %g); the last "
                          "checkpoint is %s", step + 1, loss_d, loss_g, ckpt);
                goto done_logs;
            }
            step++;
            csvlog_add(&loss_log, (double[]){loss_d, loss_g, d_real, d_fake});
            progress_update(&prog, step, "epoch %d  D %.3f  G %.3f  D(x) %.2f  D(G(z)) %.2f",
                            epoch + 1, loss_d, loss_g, d_real, d_fake);
            if (step % 50 == 0 && csvlog_write_means(&loss_log, step, err) != 0) goto done_logs;
        }
        progress_done(&prog);
        if (csvlog_write_means(&loss_log, step, err) != 0) goto done_logs;
        double t_epoch = progress_now() - t0;
        if (write_grid(&gan, z_grid, dir, epoch + 1, w, err) != 0 ||
            measure(&acc, &gan, &fl, &es, err) != 0 ||
            fcdlog_write(&fl, step, epoch + 1, (double[]){acc.accuracy}, err) != 0)
            goto done_logs;
        printf("epoch %d: %.0f s, class accuracy %.1f%%\n", epoch + 1, t_epoch,
               100.0f * acc.accuracy);
        CheckpointInfo info = {.step = step, .epoch = epoch + 1};
        snprintf(info.meta, sizeof info.meta, "lesson 04 cgan");
        if (checkpoint_save(ckpt, models, 2, &info, &rng, err) != 0) goto done_logs;
        plot_all(dir, loss_csv, &fl, NULL);   // to watch during the run
    }
    double seconds = progress_now() - t_train;

    char fcd[128];
    fcdlog_format(&fl, fcd, sizeof fcd);
    printf("\n%s; samples classified as the requested class: %.1f%%\n", fcd,
           100.0f * acc.accuracy);
    for (int k = 0; k < K && k < EVAL_CLASSES; k++)
        printf("  %-12s %5.1f%%\n", evaluator_class_names[k], 100.0f * acc.per_class[k]);
    snprintf(path, sizeof path, "%s/results.txt", dir);
    if (write_results(path, &fl, &acc, args->epochs, seconds, err) != 0) goto done_logs;
    outputs_add(w, path);
    outputs_add(w, loss_csv);
    outputs_add(w, fl.csv);
    plot_all(dir, loss_csv, &fl, w);
    outputs_add(w, ckpt);
    rc = 0;

done_logs:
    csvlog_close(&loss_log);
    fcdlog_close(&fl);
done_batcher:
    batcher_free(&batcher);
done:
    free(z_grid);
    free(es.z);
    free(es.labels);
    free(real);
    free(z);
    free(real_labels);
    free(fake_labels);
    l04_cgan_free(&gan);
    dataset_free(&ds);
    return rc;
}

// ---------------------------------------------------------------- main

int main(int argc, char **argv) {
    Args args;
    args_init(&args, "04_cgan", "a conditional GAN: the garment I want");
    args.epochs = 10;
    args.batch = 64;
    args.lr = 5e-4f;
    // One thread: the MLPs' matrices (64 x 794 x 512 at most) keep one core
    // busy, and on a shared machine a second thread waiting for a busy core
    // stalls every GEMM (measured: 4x slower with 2 threads on a loaded 2-core box).
    args.threads = 1;
    const char *data_dir = EVALUATOR_DEFAULT_DATA;
    const char *evaluator_path = EVALUATOR_DEFAULT_PATH;
    args_add_string(&args, "data", &data_dir, "folder of the Fashion-MNIST IDX files");
    args_add_string(&args, "evaluator", &evaluator_path,
                    "the classifier behind FCD (trained first when missing)");
    int code = args_parse_or_usage(&args, argc, argv);
    if (code >= 0) return code;   // --help, or a wrong flag

    Outputs out;
    Error err;
    int rc = run_start(&out, &args, &err);
    if (rc == 0) rc = train(&args, data_dir, evaluator_path, &out, &err);
    return run_end(&out, rc, &err);
}
