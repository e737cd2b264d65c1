// main.c - lesson 03's program: W1's DCGAN (bench/WORKLOADS.md) on the 60,000
// Fashion-MNIST training images, trained with YOUR kernels and backward walk
// (exercises 3.1-3.9: the model's tape runs your kernels, dcgan_train.h).
// With an unfinished exercise it stops and names it. The training loop
// (common/train/trainloop.h) does the rest: checkpoints, --resume, Ctrl-C, logs,
// curves and report.html, the page that shows the whole run.
//
// What this file adds: the step (a D step, then a G step), the sample (an
// 8x8 grid of G(z) for the same 64 z, every --grid-every steps and after each
// epoch; progress.png stacks their first rows) and the evaluation (the FCD of
// 10,000 samples, eval.csv and fcd.png, and their census: which classes G
// draws, class_hist.csv and the gallery classes.png; class_census.h).
// The default: 1800 steps of batch 32 at Adam lr 5e-4 (README, section 9;
// ARGS="--lr 2e-4 --batch 64 --steps 900" runs W1's own settings).
//
//     make run LESSON=03                          (your code, the default run)
//     make run LESSON=03 SOLUTIONS=1              (the reference)
//     make run LESSON=03 ARGS="--steps 0 --epochs 5"   (five full epochs)
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "class_census.h"
#include "dcgan_train.h"
#include "eval/fcdlog.h"
#include "data/image.h"
#include "train/trainloop.h"

#define GRID 64         // samples in each grid, 8x8
#define FCD_CHUNK 200   // samples G draws at once for FCD (batch statistics over these)
#define IMG (28 * 28)

typedef struct {
    L03Dcgan gan;
    Dataset ds;
    Batcher batcher;
    Rng rng;                      // the data order and the noise of every step
    float *z_fixed, *z_eval;      // (GRID, 100) and (EVAL_FCD_SAMPLES, 100): the same every time
    float *real, *z;              // one batch
    int batch;
    const char *data_dir, *evaluator_path;
    FcdLog fl;
    CsvLog hist;                  // class_hist.csv
    ClassCensus census, test_census;
    int measured;                 // whether this process took a census of G
} Lesson;

static int step(void *lesson, TrainLoop *loop, float *v, Error *err) {
    (void)loop, (void)err;
    Lesson *l = lesson;
    int B = l->batch;
    while (batcher_next(&l->batcher, l->real, NULL, &l->rng) != B) {}   // a new epoch
    rng_fill_normal(&l->rng, l->z, B * 100, 0.0f, 1.0f);
    v[0] = l03_d_step(&l->gan, &v[2], &v[3], l->real, l->z, B);   // loss_d, d_real, d_fake
    rng_fill_normal(&l->rng, l->z, B * 100, 0.0f, 1.0f);
    v[1] = l03_g_step(&l->gan, l->z, B);                          // loss_g
    return 0;
}

static int sample(void *lesson, TrainLoop *loop, const char *png, Error *err) {
    (void)loop;
    Lesson *l = lesson;
    static float imgs[GRID * IMG];
    l03_generate(&l->gan, imgs, l->z_fixed, GRID);
    return image_write_grid(png, imgs, GRID, 1, 28, 28, 8, err);
}

// The FCD of 10,000 samples and their census: which classes G draws.
static int evaluate(void *lesson, TrainLoop *loop, Error *err) {
    Lesson *l = lesson;
    for (int i = 0; i < EVAL_FCD_SAMPLES; i += FCD_CHUNK)
        l03_generate(&l->gan, l->fl.images + (long)i * IMG, l->z_eval + (long)i * 100, FCD_CHUNK);
    if (fcdlog_measure(&l->fl, err) != 0) return -1;
    double rarest = class_census(&l->census, &l->fl.ev.net, l->fl.images, EVAL_FCD_SAMPLES);
    double row[1 + EVAL_CLASSES] = {(double)loop->step};
    memcpy(row + 1, l->census.share, sizeof(double) * EVAL_CLASSES);
    char png[OUTPUTS_PATH_LEN];
    snprintf(png, sizeof png, "%s/classes.png", loop->dir);
    if (csvlog_write(&l->hist, row, err) != 0 ||
        class_census_gallery(png, &l->census, l->fl.images, err) != 0)
        return -1;
    train_add_file(loop, "classes.png", TRAIN_FILE_PICTURE);
    l->measured = 1;
    return fcdlog_write_at(&l->fl, loop, &rarest, err);
}

static int start(void *lesson, TrainLoop *loop, Error *err) {
    Lesson *l = lesson;
    if (fcdlog_start(&l->fl, loop, l->data_dir, l->evaluator_path, "step", "rarest_class",
                     err) != 0)
        return -1;
    class_census(&l->test_census, &l->fl.ev.net, l->fl.ev.test.images, l->fl.ev.test.n);
    return train_open_log(loop, &l->hist, "class_hist.csv", "step,tshirt_top,trouser,pullover,"
                          "dress,coat,sandal,shirt,sneaker,bag,ankle_boot", err);
}

static int finish(void *lesson, TrainLoop *loop, Error *err) {
    (void)loop, (void)err;
    Lesson *l = lesson;
    char fcd[128];
    fcdlog_format(&l->fl, fcd, sizeof fcd);
    printf("%s\n", fcd);
    if (l->measured) class_census_print(&l->census, &l->test_census);
    return 0;
}

static void close_logs(void *lesson, TrainLoop *loop) {
    (void)loop;
    fcdlog_close(&((Lesson *)lesson)->fl);
}

int main(int argc, char **argv) {
    Args args;
    args_init(&args, "03_dcgan", "DCGAN (W1) on Fashion-MNIST with your kernels and tape walk");
    args.steps = 1800;  // README: 0.96 epoch, about 8 minutes on an idle 2-core machine
    args.epochs = 1;    // used with --steps 0
    args.batch = 32;    // README, section 9: twice W1's updates in the same time
    args.lr = 5e-4f;    // README, section 9: DCGAN's 2e-4 is too slow for one epoch
    Lesson l = {.data_dir = EVALUATOR_DEFAULT_DATA, .evaluator_path = EVALUATOR_DEFAULT_PATH};
    int images = 0, grid_every = 200, checkpoint_every = 600, fcd_every = 600;
    float real_label = 1.0f, lr_d = 0.0f, beta1 = 0.5f;
    args_add_string(&args, "data", &l.data_dir, "folder of the Fashion-MNIST IDX files");
    args_add_string(&args, "evaluator", &l.evaluator_path,
                    "the classifier behind FCD (trained first when missing)");
    args_add_int(&args, "images", &images, "train on the first N images (0: all 60,000)");
    args_add_int(&args, "grid-every", &grid_every, "steps between sample grids (and one after every epoch)");
    args_add_int(&args, "checkpoint-every", &checkpoint_every, "steps between checkpoints (and one after every epoch)");
    args_add_int(&args, "fcd-every", &fcd_every, "steps between FCD measurements (and one at the end)");
    args_add_float(&args, "real-label", &real_label, "D's target for real images (1: none, 0.9: one-sided label smoothing)");
    args_add_float(&args, "lr-d", &lr_d, "D's learning rate (0: the same as --lr)");
    args_add_float(&args, "beta1", &beta1, "Adam's beta1 for both networks");
    int code = args_parse_or_usage(&args, argc, argv);
    if (code >= 0) return code;   // --help, or a wrong flag
    if ((args.steps == 0 && args.epochs < 1) || args.batch < 2 || grid_every < 1 ||
        checkpoint_every < 1 || fcd_every < 1 || images < 0 ||
        !(real_label > 0.5f && real_label <= 1.0f) || lr_d < 0.0f || !(beta1 >= 0.0f && beta1 < 1.0f))
        return args_usage_error(&args, "--steps 0 counts in --epochs (then >= 1), --batch >= 2 "
                                "(batch norm), --grid-every, --checkpoint-every and --fcd-every "
                                ">= 1, --images >= 0, --real-label in (0.5, 1], --lr-d >= 0, "
                                "--beta1 in [0, 1)");

    Error err;
    if (fcdlog_load_training(&l.ds, &l.batcher, l.data_dir, 0, images, args.batch, &err) != 0)
        return fprintf(stderr, "%s\n", err.msg), 1;
    rng_seed(&l.rng, (uint64_t)args.seed);
    l03_dcgan_init(&l.gan, args.lr, &l.rng);
    l.gan.real_label = real_label;
    if (lr_d > 0.0f) l.gan.opt_d.lr = lr_d;
    l.gan.opt_g.beta1 = l.gan.opt_d.beta1 = beta1;
    // The grid's and the FCD's z have their own generator: a resumed run draws the same ones.
    Rng z_rng;
    rng_seed(&z_rng, (uint64_t)args.seed + 1000003u);
    l.batch = args.batch;
    l.z_fixed = malloc(sizeof(float) * GRID * 100), l.real = malloc(sizeof(float) * l.batch * IMG);
    l.z_eval = malloc(sizeof(float) * EVAL_FCD_SAMPLES * 100), l.z = malloc(sizeof(float) * l.batch * 100);
    rng_fill_normal(&z_rng, l.z_fixed, GRID * 100, 0.0f, 1.0f);
    rng_fill_normal(&z_rng, l.z_eval, EVAL_FCD_SAMPLES * 100, 0.0f, 1.0f);
    int per_epoch = batcher_batches_per_epoch(&l.batcher);
    printf("W1 DCGAN: G %ld parameters, D %ld; %d images, batch %d (%d steps an epoch), lr G %g "
           "D %g, beta1 %g, real label %g\n", l.gan.ps_g.size, l.gan.ps_d.size, l.ds.n,
           args.batch, per_epoch, l.gan.opt_g.lr, l.gan.opt_d.lr, beta1, real_label);

    TrainSpec spec = {
        .lesson = &l, .step = step, .sample = sample, .evaluate = evaluate, .start = start,
        .finish = finish, .close = close_logs,
        .log_columns = "loss_d,loss_g,d_real,d_fake", .progress_labels = "D,G,D(x),D(G(z))",
        .log_every = 10, .steps_per_epoch = per_epoch, .sample_every = grid_every,
        .eval_every = fcd_every, .checkpoint_every = checkpoint_every,
        .at_epoch_end = TRAIN_AT_EPOCH_SAMPLE | TRAIN_AT_EPOCH_CHECKPOINT,
        .images_per_step = args.batch, .progress_rows = 28, .meta = "lesson 03 dcgan W1",
    };
    static TrainLoop loop;
    train_init(&loop, &args, NULL, &spec);
    train_add_network(&loop, "G", &l.gan.ps_g, &l.gan.opt_g);
    train_add_network(&loop, "D", &l.gan.ps_d, &l.gan.opt_d);
    train_add_rng(&loop, "rng", &l.rng);
    train_add_batcher(&loop, "batches", &l.batcher);
    train_add_plot(&loop, "loss.png", "loss.csv", "loss_d,loss_g",
                   "DCGAN on Fashion-MNIST: the two losses", NULL);
    train_add_plot(&loop, "d_outputs.png", "loss.csv", "d_real,d_fake",
                   "DCGAN: mean D(x) (d_real) and D(G(z)) (d_fake)", "D output");
    int rc = train_main(&loop);

    free(l.z_fixed), free(l.z_eval), free(l.real), free(l.z);
    batcher_free(&l.batcher);
    l03_dcgan_free(&l.gan);
    dataset_free(&l.ds);
    return rc;
}
