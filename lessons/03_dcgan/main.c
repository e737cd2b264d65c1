// main.c - lesson 03's program: W1's DCGAN (bench/WORKLOADS.md) on the 60,000
// Fashion-MNIST training images, trained with YOUR convolutions, batch norm
// and backward walk (exercises 3.1-3.9): l03_use_my_kernels() hands your
// kernels to the tape, and both steps call your l03_tape_backward. With an
// unfinished exercise the program stops and names it.
//
// Writes into the output folder (default runs/03_dcgan/<date-time>):
//   samples_stepNNNNN.png  8x8 grid of G(z) for the same 64 z, every
//                          --grid-every steps (step 0: before training)
//   samples_epochNN.png    the same grid after each full epoch
//   progress.png           the first 8 samples of every grid, one row each
//   loss.csv               step, loss_d, loss_g, d_real, d_fake (10-step means)
//   loss.png, d_outputs.png   the curves; checkpoint.bin (for --resume);
//   eval.csv, fcd.png      the FCD of 10,000 samples (common/fcdlog.h) at
//                          step 0, every --fcd-every steps and at the end,
//                          and rarest_class: the smallest share of a class
//   class_hist.csv         at the same steps, the share of the 10,000 samples
//                          that the evaluator's classifier names with
//                          confidence as each class (class_census.h)
//   classes.png            the latest census's gallery: one row per class,
//                          the 8 samples the classifier is surest of
//   config.txt
//
// The default run: 1800 steps of batch 32 (about one epoch) at Adam lr 5e-4
// for both nets (README, section 9: DCGAN's 2e-4 is too slow for one epoch,
// and one epoch in batches of 32 is twice as many updates as in batches of
// 64 for the same work; ARGS="--lr 2e-4 --batch 64 --steps 900" runs W1's own
// settings).
//
//     make run LESSON=03                          (your code, the default run)
//     make run LESSON=03 SOLUTIONS=1              (the reference)
//     make run LESSON=03 ARGS="--steps 0 --epochs 5"   (five full epochs)
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "args.h"
#include "checkpoint.h"
#include "class_census.h"
#include "csvlog.h"
#include "dataset.h"
#include "dcgan_train.h"
#include "fcdlog.h"
#include "gemm.h"
#include "image.h"
#include "plot.h"
#include "progress.h"
#include "run.h"

#define PATH_LEN 1200       // a file in the output folder (at most 1024 long)
#define GRID 64             // samples in the per-epoch grid, 8x8
#define STRIP 8             // samples per row of progress.png
#define MAX_ROWS 64         // rows of progress.png; later grids are left out of it
#define LOG_EVERY 10        // steps per loss.csv row
#define FCD_CHUNK 200       // samples G draws at once for FCD (batch statistics over these)
#define LOSS_HEADER "step,loss_d,loss_g,d_real,d_fake"
#define IMG (28 * 28)
#define HIST_HEADER "step,tshirt_top,trouser,pullover,dress,coat,sandal,shirt,sneaker,bag," \
                    "ankle_boot"
_Static_assert(EVAL_FCD_SAMPLES % FCD_CHUNK == 0, "FCD_CHUNK must divide EVAL_FCD_SAMPLES");

static void plot_curves(const char *out, const char *csv, Outputs *w) {
    char png[PATH_LEN];
    Error err;
    snprintf(png, sizeof png, "%s/loss.png", out);
    if (plot_loss_curves(png, csv, "loss_d,loss_g", "DCGAN on Fashion-MNIST: the two losses",
                         NULL, &err) == 0) {
        outputs_add(w, png);
    } else {
        fprintf(stderr, "no loss plot: %s\n", err.msg);
    }
    snprintf(png, sizeof png, "%s/d_outputs.png", out);
    if (plot_loss_curves(png, csv, "d_real,d_fake",
                         "DCGAN: mean D(x) (d_real) and D(G(z)) (d_fake)", "D output",
                         &err) == 0) {
        outputs_add(w, png);
    } else {
        fprintf(stderr, "no D-output plot: %s\n", err.msg);
    }
}

static void grid_path(char *buf, const char *out, long step) {
    snprintf(buf, PATH_LEN, "%s/samples_step%05ld.png", out, step);
}

// samples_stepNNNNN.png (and samples_epochNN.png when epoch > 0) from the
// fixed z; keeps its first STRIP samples in row (STRIP, 28, 28), if not NULL.
static int write_grid(L03Dcgan *gan, const float *z_fixed, const char *out, long step,
                      int epoch, float *row, Outputs *w, Error *err) {
    static float imgs[GRID * IMG];
    l03_generate(gan, imgs, z_fixed, GRID);
    if (row) memcpy(row, imgs, sizeof(float) * STRIP * IMG);
    char png[PATH_LEN];
    grid_path(png, out, step);
    if (image_write_grid(png, imgs, GRID, 1, 28, 28, 8, err) != 0) return -1;
    outputs_add(w, png);
    if (epoch > 0) {
        snprintf(png, sizeof png, "%s/samples_epoch%02d.png", out, epoch);
        if (image_write_grid(png, imgs, GRID, 1, 28, 28, 8, err) != 0) return -1;
        outputs_add(w, png);
    }
    return 0;
}

// A resumed run gets the rows of earlier grids back from their files: the
// first row of a grid holds its first 8 samples, after a border.
static int read_row(float *row, const char *out, long step, Error *err) {
    char png[PATH_LEN];
    grid_path(png, out, step);
    float *grid;
    int c, h, w;
    if (image_read_png(&grid, &c, &h, &w, png, 1, err) != 0) return -1;
    int gh, gw;
    image_grid_size(&gh, &gw, GRID, 28, 28, 8);
    int rc = 0;
    if (h != gh || w != gw) {
        rc = error_set(err, "%s: expected a %dx%d grid, found %dx%d", png, gw, gh, w, h);
    } else {
        for (int i = 0; i < STRIP; i++)
            image_crop(row + i * IMG, grid, 1, h, w, IMAGE_GRID_BORDER,
                       IMAGE_GRID_BORDER + i * (28 + IMAGE_GRID_BORDER), 28, 28);
    }
    free(grid);
    return rc;
}

// The checkpoint holds both networks, both optimisers, the step and the RNG.
static void checkpoint_models(CheckpointModel models[2], L03Dcgan *gan) {
    models[0] = (CheckpointModel){"G", &gan->ps_g, &gan->opt_g};
    models[1] = (CheckpointModel){"D", &gan->ps_d, &gan->opt_d};
}

static int save(const char *path, L03Dcgan *gan, long step, int epoch, const Rng *rng,
                Error *err) {
    CheckpointModel models[2];
    checkpoint_models(models, gan);
    CheckpointInfo info = {.step = step, .epoch = epoch};
    snprintf(info.meta, sizeof info.meta, "lesson 03 dcgan W1");
    return checkpoint_save(path, models, 2, &info, rng, err);
}

// The FCD of G's samples from z_eval (EVAL_FCD_SAMPLES, 100), the same noise
// at every measurement, and their census (class_census.h): a row of eval.csv,
// one of class_hist.csv (hist), and classes.png, the gallery of the samples
// the classifier is surest of, per class.
static int measure_fcd(L03Dcgan *gan, FcdLog *fl, CsvLog *hist, ClassCensus *cc,
                       const float *z_eval, const char *out, long step, double epoch,
                       Error *err) {
    for (int i = 0; i < EVAL_FCD_SAMPLES; i += FCD_CHUNK)
        l03_generate(gan, fl->images + (long)i * IMG, z_eval + (long)i * 100, FCD_CHUNK);
    if (fcdlog_measure(fl, err) != 0) return -1;
    double rarest = class_census(cc, &fl->ev.net, fl->images, EVAL_FCD_SAMPLES);
    double row[1 + EVAL_CLASSES] = {(double)step};
    memcpy(row + 1, cc->share, sizeof(double) * EVAL_CLASSES);
    if (csvlog_write(hist, row, err) != 0) return -1;
    char png[PATH_LEN];
    snprintf(png, sizeof png, "%s/classes.png", out);
    if (class_census_gallery(png, cc, fl->images, err) != 0) return -1;
    return fcdlog_write(fl, step, epoch, &rarest, err);
}

typedef struct {
    const char *data_dir;
    const char *evaluator_path;   // the classifier behind FCD
    int images;             // train on the first N images: 0 = all 60,000
    int grid_every;         // steps between sample grids (and one at every epoch's end)
    int checkpoint_every;   // steps between checkpoints (and one at every epoch's end)
    int fcd_every;          // steps between FCD measurements (and one at the end)
    float real_label;       // D's target for real images (1: none; 0.9: label smoothing)
    float lr_d;             // D's learning rate; 0: the same as G's (--lr)
    float beta1;            // Adam's beta1, both networks
} Config;

// Whether step ends with a grid: every grid_every steps, at the end of each
// epoch and of the run.
static int grid_due(long step, long total, int per_epoch, int grid_every) {
    return step % grid_every == 0 || step % per_epoch == 0 || step == total;
}

static int train(const Args *args, const Config *cfg, Outputs *w, Error *err) {
    char path[PATH_LEN], ckpt[PATH_LEN], csv[PATH_LEN], hist_csv[PATH_LEN];
    snprintf(ckpt, sizeof ckpt, "%s/checkpoint.bin", args->out);
    snprintf(csv, sizeof csv, "%s/loss.csv", args->out);
    snprintf(hist_csv, sizeof hist_csv, "%s/class_hist.csv", args->out);

    Dataset ds;
    snprintf(path, sizeof path, "%s/train-images-idx3-ubyte.gz", cfg->data_dir);
    printf("reading %s\n", path);
    if (dataset_load_idx(&ds, path, NULL, cfg->images, err) != 0) return -1;

    int B = args->batch;
    Rng rng, z_rng;
    rng_seed(&rng, (uint64_t)args->seed);
    // The grid's and the FCD's z have their own generator: a resumed run
    // draws the same ones.
    rng_seed(&z_rng, (uint64_t)args->seed + 1000003u);
    L03Dcgan gan;
    l03_dcgan_init(&gan, args->lr, &rng);
    gan.real_label = cfg->real_label;
    if (cfg->lr_d > 0.0f) gan.opt_d.lr = cfg->lr_d;
    gan.opt_g.beta1 = gan.opt_d.beta1 = cfg->beta1;
    l03_use_my_kernels();
    float *z_fixed = malloc(sizeof(float) * GRID * 100);
    float *z_eval = malloc(sizeof(float) * EVAL_FCD_SAMPLES * 100);
    float *real = malloc(sizeof(float) * B * IMG);
    float *z = malloc(sizeof(float) * B * 100);
    float *rows = calloc((size_t)MAX_ROWS * STRIP * IMG, sizeof(float));
    int n_rows = 0;
    rng_fill_normal(&z_rng, z_fixed, GRID * 100, 0.0f, 1.0f);
    rng_fill_normal(&z_rng, z_eval, EVAL_FCD_SAMPLES * 100, 0.0f, 1.0f);
    Batcher batcher;
    CsvLog log = {0}, hist = {0};
    FcdLog fl;
    ClassCensus census, test_census;
    int censused = 0;   // whether this process measured G's classes
    int rc = -1;
    if (batcher_init(&batcher, &ds, B, 1, err) != 0) goto done;
    int per_epoch = batcher_batches_per_epoch(&batcher);
    long total = args->steps > 0 ? args->steps : (long)args->epochs * per_epoch;

    long step = 0;
    if (args->resume) {
        CheckpointModel models[2];
        checkpoint_models(models, &gan);
        CheckpointInfo info;
        if (checkpoint_load(ckpt, models, 2, &info, &rng, err) != 0) goto done_batcher;
        step = info.step;
        printf("resumed at step %ld from %s\n", step, ckpt);
        if (step >= total)
            printf("nothing left to train: the run has its %ld steps (a larger --steps "
                   "continues it)\n", total);
        for (long s = 0; s <= step && n_rows < MAX_ROWS; s++)
            if (s == 0 || grid_due(s, total, per_epoch, cfg->grid_every)) {
                if (read_row(rows + (long)n_rows * STRIP * IMG, args->out, s, err) != 0)
                    fprintf(stderr, "progress.png will miss step %ld: %s\n", s, err->msg);
                n_rows++;
            }
    }
    if (fcdlog_open(&fl, args->out, cfg->data_dir, cfg->evaluator_path, "step", "rarest_class",
                    args->resume ? step : -1, err) != 0)
        goto done_batcher;
    class_census(&test_census, &fl.ev.net, fl.ev.test.images, fl.ev.test.n);
    if (csvlog_open(&log, csv, LOSS_HEADER, args->resume ? step : -1, err) != 0 ||
        csvlog_open(&hist, hist_csv, HIST_HEADER, args->resume ? step : -1, err) != 0)
        goto done_log;

    printf("W1 DCGAN: G %ld parameters, D %ld; %d images, batch %d (%d steps an epoch), lr G %g "
           "D %g, beta1 %g, real label %g, %ld steps = %.2f epochs, %d threads\n",
           gan.ps_g.size, gan.ps_d.size, ds.n, B, per_epoch, gan.opt_g.lr, gan.opt_d.lr,
           cfg->beta1, gan.real_label, total, (double)total / per_epoch, compute_threads());
    if (step == 0) {
        // the untrained G: its FCD is the ceiling
        if (write_grid(&gan, z_fixed, args->out, 0, 0, rows, w, err) != 0 ||
            measure_fcd(&gan, &fl, &hist, &census, z_eval, args->out, 0, 0.0, err) != 0)
            goto done_log;
        censused = 1;
        n_rows = 1;
    }

    Progress prog;
    progress_init(&prog, stderr, step, total, B, 10.0);
    double t0 = progress_now();
    while (step < total) {
        // A resumed epoch draws a fresh order for the batches it has left.
        if (batcher_next(&batcher, real, NULL, &rng) != B) continue;
        float d_real, d_fake;
        rng_fill_normal(&rng, z, B * 100, 0.0f, 1.0f);
        float loss_d = l03_d_step(&gan, &d_real, &d_fake, real, z, B);
        rng_fill_normal(&rng, z, B * 100, 0.0f, 1.0f);
        float loss_g = l03_g_step(&gan, z, B);
        if (!isfinite(loss_d) || !isfinite(loss_g)) {
            progress_done(&prog);
            error_set(err, "the loss is not finite at step %ld (D %g, G %g); the last good "
                      "checkpoint is %s", step + 1, loss_d, loss_g, ckpt);
            goto done_log;
        }
        step++;
        csvlog_add(&log, (double[]){loss_d, loss_g, d_real, d_fake});
        progress_update(&prog, step, "epoch %ld  D %.3f  G %.3f  D(x) %.2f  D(G(z)) %.2f",
                        (step - 1) / per_epoch + 1, loss_d, loss_g, d_real, d_fake);
        if (step % LOG_EVERY == 0 && csvlog_write_means(&log, step, err) != 0) goto done_log;
        int epoch = step % per_epoch == 0 ? (int)(step / per_epoch) : 0;
        if (grid_due(step, total, per_epoch, cfg->grid_every)) {
            progress_done(&prog);
            printf("step %ld (epoch %.2f): %.0f s so far\n", step, (double)step / per_epoch,
                   progress_now() - t0);
            float *row = n_rows < MAX_ROWS ? rows + (long)n_rows++ * STRIP * IMG : NULL;
            if (write_grid(&gan, z_fixed, args->out, step, epoch, row, w, err) != 0)
                goto done_log;
        }
        if (step % cfg->fcd_every == 0 || step == total) {
            progress_done(&prog);
            if (measure_fcd(&gan, &fl, &hist, &census, z_eval, args->out, step,
                            (double)step / per_epoch, err) != 0)
                goto done_log;
            censused = 1;
            fcdlog_plot(&fl, NULL);   // to watch during the run
        }
        if (epoch > 0 || step % cfg->checkpoint_every == 0 || step == total) {
            if (save(ckpt, &gan, step, (int)(step / per_epoch), &rng, err) != 0) goto done_log;
        }
    }
    progress_done(&prog);
    if (csvlog_write_means(&log, step, err) != 0) goto done_log;
    char fcd[128];
    fcdlog_format(&fl, fcd, sizeof fcd);
    printf("training: %.0f s for %ld steps; %s\n", progress_now() - t0, step, fcd);
    if (censused) class_census_print(&census, &test_census);
    outputs_add(w, csv);
    outputs_add(w, fl.csv);
    outputs_add(w, hist_csv);
    snprintf(path, sizeof path, "%s/classes.png", args->out);
    outputs_add(w, path);
    plot_curves(args->out, csv, w);
    fcdlog_plot(&fl, w);
    snprintf(path, sizeof path, "%s/progress.png", args->out);
    if (image_write_grid(path, rows, n_rows * STRIP, 1, 28, 28, STRIP, err) != 0) goto done_log;
    outputs_add(w, path);
    outputs_add(w, ckpt);
    rc = 0;

done_log:
    csvlog_close(&hist);
    csvlog_close(&log);
    fcdlog_close(&fl);
done_batcher:
    batcher_free(&batcher);
done:
    free(rows);
    free(z_fixed);
    free(z_eval);
    free(real);
    free(z);
    l03_dcgan_free(&gan);
    dataset_free(&ds);
    return rc;
}

int main(int argc, char **argv) {
    Args args;
    args_init(&args, "03_dcgan", "DCGAN (W1) on Fashion-MNIST with your kernels and tape walk");
    args.steps = 1800;  // README: 0.96 epoch, about 8 minutes on an idle 2-core machine
    args.epochs = 1;    // used with --steps 0
    args.batch = 32;    // README, section 9: twice W1's updates in the same time
    args.lr = 5e-4f;    // README, section 9: DCGAN's 2e-4 is too slow for one epoch
    Config cfg = {.data_dir = EVALUATOR_DEFAULT_DATA, .evaluator_path = EVALUATOR_DEFAULT_PATH,
                  .images = 0, .grid_every = 200, .checkpoint_every = 600, .fcd_every = 600,
                  .real_label = 1.0f, .lr_d = 0.0f, .beta1 = 0.5f};
    args_add_string(&args, "data", &cfg.data_dir, "folder of the Fashion-MNIST IDX files");
    args_add_string(&args, "evaluator", &cfg.evaluator_path,
                    "the classifier behind FCD (trained first when missing)");
    args_add_int(&args, "images", &cfg.images, "train on the first N images (0: all 60,000)");
    args_add_int(&args, "grid-every", &cfg.grid_every,
                 "steps between sample grids (and one after every epoch)");
    args_add_int(&args, "checkpoint-every", &cfg.checkpoint_every,
                 "steps between checkpoints (and one after every epoch)");
    args_add_int(&args, "fcd-every", &cfg.fcd_every,
                 "steps between FCD measurements (and one at the end)");
    args_add_float(&args, "real-label", &cfg.real_label,
                   "D's target for real images (1: none, 0.9: one-sided label smoothing)");
    args_add_float(&args, "lr-d", &cfg.lr_d, "D's learning rate (0: the same as --lr)");
    args_add_float(&args, "beta1", &cfg.beta1, "Adam's beta1 for both networks");

    int code = args_parse_or_usage(&args, argc, argv);
    if (code >= 0) return code;   // --help, or a wrong flag
    if ((args.steps == 0 && args.epochs < 1) || args.batch < 2 || cfg.grid_every < 1 ||
        cfg.checkpoint_every < 1 || cfg.fcd_every < 1 || cfg.images < 0 ||
        !(cfg.real_label > 0.5f && cfg.real_label <= 1.0f) || cfg.lr_d < 0.0f ||
        !(cfg.beta1 >= 0.0f && cfg.beta1 < 1.0f))
        return args_usage_error(&args, "--steps 0 counts in --epochs (then >= 1), --batch >= 2 "
                                "(batch norm), --grid-every, --checkpoint-every and --fcd-every "
                                ">= 1, --images >= 0, --real-label in (0.5, 1], --lr-d >= 0, "
                                "--beta1 in [0, 1)");

    Outputs out;
    Error err;
    int rc = run_start(&out, &args, &err);
    if (rc == 0) rc = train(&args, &cfg, &out, &err);
    return run_end(&out, rc, &err);
}
