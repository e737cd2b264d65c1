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
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "dcgan_run.h"
#include "data/image.h"
#include "train/trainloop.h"

#define FCD_CHUNK 200   // samples G draws at once for FCD (batch statistics over these)
#define IMG (28 * 28)

typedef L03Run Lesson;   // the data, W1, the fixed noise, the FCD log (dcgan_run.h)

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
    static float imgs[L03_GRID * IMG];
    l03_generate(&l->gan, imgs, l->z_fixed, L03_GRID);
    return image_write_grid(png, imgs, L03_GRID, 1, 28, 28, 8, err);
}

// The FCD of 10,000 samples and their census: which classes G draws.
static int evaluate(void *lesson, TrainLoop *loop, Error *err) {
    Lesson *l = lesson;
    for (int i = 0; i < EVAL_FCD_SAMPLES; i += FCD_CHUNK)
        l03_generate(&l->gan, l->fl.images + (long)i * IMG, l->z_eval + (long)i * 100, FCD_CHUNK);
    if (fcdlog_measure(&l->fl, err) != 0) return -1;
    double rarest = l03_class_census(&l->census, &l->fl.ev.net, l->fl.images, EVAL_FCD_SAMPLES);
    double row[1 + EVAL_CLASSES] = {(double)loop->step};
    memcpy(row + 1, l->census.share, sizeof(double) * EVAL_CLASSES);
    char png[OUTPUTS_PATH_LEN];
    snprintf(png, sizeof png, "%s/classes.png", loop->dir);
    if (csvlog_write(&l->hist, row, err) != 0 ||
        l03_class_census_gallery(png, &l->census, l->fl.images, err) != 0)
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
    l03_class_census(&l->test_census, &l->fl.ev.net, l->fl.ev.test.images, l->fl.ev.test.n);
    return train_open_log(loop, &l->hist, "class_hist.csv", "step,tshirt_top,trouser,pullover,"
                          "dress,coat,sandal,shirt,sneaker,bag,ankle_boot", err);
}

static int finish(void *lesson, TrainLoop *loop, Error *err) {
    (void)loop, (void)err;
    Lesson *l = lesson;
    char fcd[128];
    fcdlog_format(&l->fl, fcd, sizeof fcd);
    printf("%s\n", fcd);
    if (l->measured) l03_class_census_print(&l->census, &l->test_census);
    return 0;
}

int main(int argc, char **argv) {
    Args args;
    args_init(&args, "03_dcgan", "DCGAN (W1) on Fashion-MNIST with your kernels and tape walk");
    args.steps = 1800;  // README: 0.96 epoch, about 8 minutes on an idle 2-core machine
    args.epochs = 1;    // used with --steps 0
    args.batch = 32;    // README, section 9: twice W1's updates in the same time
    args.lr = 5e-4f;    // README, section 9: DCGAN's 2e-4 is too slow for one epoch
    Lesson l = {.data_dir = EVALUATOR_DEFAULT_DATA, .evaluator_path = EVALUATOR_DEFAULT_PATH};
    L03Options o = {.images = 0, .real_label = 1.0f, .lr_d = 0.0f, .beta1 = 0.5f};
    int grid_every = 200, checkpoint_every = 600, fcd_every = 600;
    args_add_string(&args, "data", &l.data_dir, "folder of the Fashion-MNIST IDX files");
    args_add_string(&args, "evaluator", &l.evaluator_path,
                    "the classifier behind FCD (trained first when missing)");
    args_add_int_range(&args, "images", &o.images, 0, INT_MAX, "train on the first N images (0: all 60,000)");
    args_add_int_range(&args, "grid-every", &grid_every, 1, INT_MAX, "steps between sample grids (and one after every epoch)");
    args_add_int_range(&args, "checkpoint-every", &checkpoint_every, 1, INT_MAX, "steps between checkpoints (and one after every epoch)");
    args_add_int_range(&args, "fcd-every", &fcd_every, 1, INT_MAX, "steps between FCD measurements (and one at the end)");
    args_add_float(&args, "real-label", &o.real_label, "D's target for real images (1: none, 0.9: one-sided label smoothing)");
    args_add_float(&args, "lr-d", &o.lr_d, "D's learning rate (0: the same as --lr)");
    args_add_float(&args, "beta1", &o.beta1, "Adam's beta1 for both networks");
    int code = args_parse_or_usage(&args, argc, argv);
    if (code >= 0) return code;   // --help, or a wrong flag
    if ((args.steps == 0 && args.epochs < 1) || args.batch < 2 ||
        !(o.real_label > 0.5f && o.real_label <= 1.0f) || o.lr_d < 0.0f ||
        !(o.beta1 >= 0.0f && o.beta1 < 1.0f))
        return args_usage_error(&args, "--steps 0 counts in --epochs (then >= 1), --batch >= 2 "
                                "(batch norm), --real-label in (0.5, 1], --lr-d >= 0, "
                                "--beta1 in [0, 1)");
    if (l03_run_init(&l, &args, &o) != 0) return 1;

    TrainSpec spec = {
        .lesson = &l, .step = step, .sample = sample, .evaluate = evaluate, .start = start,
        .finish = finish, .log_columns = TRAIN_GAN_COLUMNS, .progress_labels = "D,G,D(x),D(G(z))",
        .log_every = 10, .steps_per_epoch = batcher_batches_per_epoch(&l.batcher),
        .sample_every = grid_every, .eval_every = fcd_every, .checkpoint_every = checkpoint_every,
        .at_epoch_end = TRAIN_AT_EPOCH_SAMPLE | TRAIN_AT_EPOCH_CHECKPOINT,
        .images_per_step = args.batch, .progress_rows = 28, .meta = "lesson 03 dcgan W1",
    };
    static TrainLoop loop;
    train_init(&loop, &args, NULL, &spec);
    train_add_gan(&loop, &l.gan.ps_g, &l.gan.opt_g, &l.gan.ps_d, &l.gan.opt_d, &l.rng, &l.batcher,
                  "DCGAN on Fashion-MNIST: the two losses",
                  "DCGAN: mean D(x) (d_real) and D(G(z)) (d_fake)");
    int rc = train_main(&loop);
    l03_run_free(&l);
    return rc;
}
