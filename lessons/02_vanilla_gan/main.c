// main.c - lesson 02's program: a vanilla GAN of two MLPs, trained with the
// forward and backward passes you wrote (mlp.c) and the two steps you wired
// (gan_step.c). With an unfinished exercise it stops and names it.
//
// Part 1 (--part ring): points in the plane drawn from 8 Gaussians on a ring.
//   Every --scatter-every steps: a scatter plot of real and generated points,
//   and how many of the 8 modes the generator covers.
// Part 2 (--part fmnist): 28x28 Fashion-MNIST images, 60,000 of them.
//   Every epoch: an 8x8 grid of samples from the same 64 noise vectors, and
//   the FCD of 10,000 samples (common/fcdlog.h): eval.csv and fcd.png, the
//   curve between the untrained G's value and the floor.
// Both: loss.csv (step, loss_d, loss_g, d_real, d_fake), loss.png and
// d_outputs.png (the curves), a checkpoint for --resume, and config.txt in
// the output folder.
//
//     make run LESSON=02                          (your code)
//     make run LESSON=02 SOLUTIONS=1              (the reference)
//     make run LESSON=02 ARGS="--part ring --steps 2000"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "args.h"
#include "checkpoint.h"
#include "csvlog.h"
#include "dataset.h"
#include "fcdlog.h"
#include "gan.h"
#include "gemm.h"
#include "image.h"
#include "plot.h"
#include "progress.h"
#include "run.h"
#include "train_guard.h"

#define DIR_LEN 1100    // a part's folder: the output folder (at most 1024) + "/fmnist"
#define PATH_LEN 1200   // a file in it
#define LOSS_HEADER "step,loss_d,loss_g,d_real,d_fake"

// The curves of a loss.csv: loss.png (loss_D, loss_G) and d_outputs.png
// (D(x), D(G(z))). A plot that fails is reported and the run goes on.
// out NULL: do not record the files (they are redrawn later).
static void plot_curves(const char *dir, const char *csv, const char *what, Outputs *out) {
    char png[PATH_LEN], title[128];
    Error err;
    snprintf(png, sizeof png, "%s/loss.png", dir);
    snprintf(title, sizeof title, "%s: the two losses", what);
    if (plot_loss_curves(png, csv, "loss_d,loss_g", title, NULL, &err) == 0) outputs_add(out, png);
    else fprintf(stderr, "no loss plot: %s\n", err.msg);
    snprintf(png, sizeof png, "%s/d_outputs.png", dir);
    snprintf(title, sizeof title, "%s: mean D(x) (d_real) and D(G(z)) (d_fake)", what);
    if (plot_loss_curves(png, csv, "d_real,d_fake", title, "D output", &err) == 0)
        outputs_add(out, png);
    else fprintf(stderr, "no D-output plot: %s\n", err.msg);
}

// One file holds both networks and both optimisers.
static void checkpoint_models(CheckpointModel models[2], Gan *gan) {
    models[0] = (CheckpointModel){"G", &gan->g.ps, &gan->opt_g};
    models[1] = (CheckpointModel){"D", &gan->d.ps, &gan->opt_d};
}

// ---------------------------------------------------------------- part 1: the ring

#define RING_MODES 8
#define RING_RADIUS 2.0f
#define RING_STD 0.05f
#define RING_SNAPSHOT_POINTS 1000

typedef struct {
    int steps, batch, z_dim, every;
    float lr;
} RingConfig;

// n points (n, 2): a mode picked uniformly, then Gaussian noise around it.
static void ring_sample(float *x, int n, Rng *rng) {
    for (int i = 0; i < n; i++) {
        float a = 2.0f * (float)M_PI * rng_int(rng, RING_MODES) / RING_MODES;
        x[2 * i] = RING_RADIUS * cosf(a) + RING_STD * rng_normal(rng);
        x[2 * i + 1] = RING_RADIUS * sinf(a) + RING_STD * rng_normal(rng);
    }
}

// How well n generated points (n, 2) cover the ring: a point is "good" when it
// lies within 3 standard deviations of a mode's centre; a mode is covered when
// at least 1% of the points are good points of that mode.
static void ring_coverage(const float *x, int n, int *modes, float *good) {
    int count[RING_MODES] = {0}, n_good = 0;
    for (int i = 0; i < n; i++)
        for (int k = 0; k < RING_MODES; k++) {
            float a = 2.0f * (float)M_PI * k / RING_MODES;
            float dx = x[2 * i] - RING_RADIUS * cosf(a), dy = x[2 * i + 1] - RING_RADIUS * sinf(a);
            if (dx * dx + dy * dy <= 9.0f * RING_STD * RING_STD) {
                count[k]++;
                n_good++;
                break;
            }
        }
    *modes = 0;
    for (int k = 0; k < RING_MODES; k++) *modes += count[k] >= n / 100;
    *good = (float)n_good / n;
}

// Scatter CSV and PNG of RING_SNAPSHOT_POINTS real and generated points.
static int ring_snapshot(Gan *gan, const RingConfig *c, long step, const char *dir, Rng *rng,
                         Outputs *out, Error *err) {
    enum { N = RING_SNAPSHOT_POINTS };
    static float real[2 * N], z[N * 16], fake[2 * N];
    ring_sample(real, N, rng);
    rng_fill_normal(rng, z, N * c->z_dim, 0.0f, 1.0f);
    for (int i = 0; i < N; i += c->batch) {   // G's buffers hold one batch
        int b = N - i < c->batch ? N - i : c->batch;
        memcpy(fake + 2 * i, mlp_forward(&gan->g, z + (long)i * c->z_dim, b),
               sizeof(float) * 2 * b);
    }
    int modes;
    float good;
    ring_coverage(fake, N, &modes, &good);

    char csv[PATH_LEN], png[PATH_LEN], title[128];
    snprintf(csv, sizeof csv, "%s/scatter_step%05ld.csv", dir, step);
    snprintf(png, sizeof png, "%s/scatter_step%05ld.png", dir, step);
    snprintf(title, sizeof title, "step %ld: %d of 8 modes, %.0f%% of samples on a mode", step,
             modes, 100.0f * good);
    CsvLog log;
    if (csvlog_open(&log, csv, "step,x_real,y_real,x_fake,y_fake", -1, err) != 0) return -1;
    for (int i = 0; i < N; i++) {
        double row[] = {step, real[2 * i], real[2 * i + 1], fake[2 * i], fake[2 * i + 1]};
        if (csvlog_write(&log, row, err) != 0) {
            csvlog_close(&log);
            return -1;
        }
    }
    csvlog_close(&log);
    outputs_add(out, csv);
    Error plot_err;
    if (plot_scatter(png, real, N, "real", fake, N, "generated", title, &plot_err) == 0)
        outputs_add(out, png);
    else
        fprintf(stderr, "no scatter plot: %s\n", plot_err.msg);
    printf("  %s\n", title);
    return 0;
}

static int ring_train(const Args *args, const RingConfig *c, const char *dir, const char *ckpt,
                      Outputs *out, Error *err);

static int run_ring(const Args *args, const RingConfig *c, Outputs *out, Error *err) {
    char dir[DIR_LEN], ckpt[PATH_LEN];
    snprintf(dir, sizeof dir, "%s/ring", args->out);
    snprintf(ckpt, sizeof ckpt, "%s/checkpoint.bin", dir);
    if (run_mkdir(dir, err) != 0) return -1;
    if (c->z_dim < 1 || c->z_dim > 16) return error_set(err, "--ring-z: expected 1 to 16");

    // The ring's matrices are tiny (256 x 128): a second thread costs more in
    // waking up and waiting than it saves, so this part runs on one.
    int threads = compute_threads();
    compute_set_threads(1);
    int rc = ring_train(args, c, dir, ckpt, out, err);
    compute_set_threads(threads);
    return rc;
}

static int ring_train(const Args *args, const RingConfig *c, const char *dir, const char *ckpt,
                      Outputs *out, Error *err) {
    char path[PATH_LEN];
    Rng rng;
    rng_seed(&rng, (uint64_t)args->seed);
    // G: z -> 128 -> 128 -> 2 with ReLU and a linear output (the ring reaches
    // radius 2, beyond tanh's range); D: 2 -> 128 -> 128 -> 1 with LeakyReLU.
    GanSpec spec = {
        .g_sizes = {c->z_dim, 128, 128, 2}, .g_layers = 3,
        .g_hidden = MLP_ACT_RELU, .g_out = MLP_ACT_NONE,
        .d_sizes = {2, 128, 128, 1}, .d_layers = 3, .d_hidden = MLP_ACT_LEAKY_RELU,
        .max_batch = c->batch, .lr = c->lr, .beta1 = 0.5f, .beta2 = 0.999f,
    };
    Gan gan;
    if (gan_build(&gan, &spec, &rng, err) != 0) return -1;

    long step = 0;
    CheckpointModel models[2];
    checkpoint_models(models, &gan);
    if (args->resume) {
        CheckpointInfo info;
        if (checkpoint_load(ckpt, models, 2, &info, &rng, err) != 0) goto fail;
        step = info.step;
        printf("ring: resumed at step %ld from %s\n", step, ckpt);
    }

    TrainGuard guard;
    guard_init(&guard, ckpt, args->resume ? step : -1);
    if (guard_check_output(dir, guard_checkpoint_bytes(models, 2), err) != 0) goto fail;
    CsvLog log;
    snprintf(path, sizeof path, "%s/loss.csv", dir);
    if (csvlog_open(&log, path, LOSS_HEADER, args->resume ? step : -1, err) != 0) goto fail;

    printf("ring: 8 Gaussians, G %d-128-128-2, D 2-128-128-1, batch %d, lr %g, %d steps\n",
           c->z_dim, c->batch, c->lr, c->steps);
    float *real = malloc(sizeof(float) * 2 * c->batch);
    float *z = malloc(sizeof(float) * c->z_dim * c->batch);
    if (step == 0 && ring_snapshot(&gan, c, 0, dir, &rng, out, err) != 0) goto fail_log;

    Progress prog;
    progress_init(&prog, stderr, step, c->steps, c->batch, 5.0);
    while (step < c->steps) {
        float d_real, d_fake;
        ring_sample(real, c->batch, &rng);
        rng_fill_normal(&rng, z, c->batch * c->z_dim, 0.0f, 1.0f);
        float loss_d = gan_d_step(&gan, &d_real, &d_fake, real, z, c->batch);
        rng_fill_normal(&rng, z, c->batch * c->z_dim, 0.0f, 1.0f);
        float loss_g = gan_g_step(&gan, z, c->batch);
        step++;
        // the update is inside the steps (your exercises): a NaN has reached the
        // weights already, so stop and point at the last good checkpoint
        if (guard_check_loss(&guard, "loss_d", loss_d, step, err) != 0 ||
            guard_check_loss(&guard, "loss_g", loss_g, step, err) != 0) {
            progress_done(&prog);
            goto fail_log;
        }
        csvlog_add(&log, (double[]){loss_d, loss_g, d_real, d_fake});
        progress_update(&prog, step, "D %.3f  G %.3f  D(x) %.2f  D(G(z)) %.2f", loss_d, loss_g,
                        d_real, d_fake);
        if (step % 25 == 0 && csvlog_write_means(&log, step, err) != 0) goto fail_log;
        if (step % c->every == 0 || step == c->steps) {
            progress_done(&prog);
            CheckpointInfo info = {.step = step};
            snprintf(info.meta, sizeof info.meta, "lesson 02 ring");
            if (ring_snapshot(&gan, c, step, dir, &rng, out, err) != 0 ||
                checkpoint_save(ckpt, models, 2, &info, &rng, err) != 0)
                goto fail_log;
            guard_saved(&guard, step);
        }
    }
    progress_done(&prog);
    if (csvlog_write_means(&log, step, err) != 0) goto fail_log;
    csvlog_close(&log);
    outputs_add(out, path);
    plot_curves(dir, path, "ring of 8 Gaussians", out);
    outputs_add(out, ckpt);
    free(real);
    free(z);
    gan_free(&gan);
    return 0;

fail_log:
    csvlog_close(&log);
    free(real);
    free(z);
fail:
    gan_free(&gan);
    return -1;
}

// ---------------------------------------------------------------- part 2: Fashion-MNIST

#define FM_Z 100
#define FM_X (28 * 28)
#define FM_GRID 64   // samples in the per-epoch grid, 8x8

// imgs (n, 1, 28, 28) = G(z), z (n, FM_Z), a batch at a time (G's buffers hold one).
static void fm_generate(Gan *gan, float *imgs, const float *z, int n, int batch) {
    for (int i = 0; i < n; i += batch) {
        int b = n - i < batch ? n - i : batch;
        memcpy(imgs + (long)i * FM_X, mlp_forward(&gan->g, z + (long)i * FM_Z, b),
               sizeof(float) * b * FM_X);
    }
}

static int fm_grid(Gan *gan, const float *z_fixed, int batch, const char *dir, int epoch,
                   Outputs *out, Error *err) {
    static float imgs[FM_GRID * FM_X];
    fm_generate(gan, imgs, z_fixed, FM_GRID, batch);
    char png[PATH_LEN];
    snprintf(png, sizeof png, "%s/samples_epoch%02d.png", dir, epoch);
    if (image_write_grid(png, imgs, FM_GRID, 1, 28, 28, 8, err) != 0) return -1;
    outputs_add(out, png);
    return 0;
}

// The FCD of G's samples from the same z_eval (EVAL_FCD_SAMPLES, FM_Z) every
// epoch: a row of eval.csv.
static int fm_fcd(Gan *gan, FcdLog *fl, const float *z_eval, int batch, long step, int epoch,
                  Error *err) {
    fm_generate(gan, fl->images, z_eval, EVAL_FCD_SAMPLES, batch);
    if (fcdlog_measure(fl, err) != 0) return -1;
    return fcdlog_write(fl, step, epoch, NULL, err);
}

static int fm_train(const Args *args, const char *dir, const char *data_dir,
                    const char *evaluator_path, Dataset *ds, Outputs *out, Error *err);

static int run_fmnist(const Args *args, const char *data_dir, const char *evaluator_path,
                      Outputs *out, Error *err) {
    char dir[DIR_LEN], path[PATH_LEN];
    snprintf(dir, sizeof dir, "%s/fmnist", args->out);
    if (run_mkdir(dir, err) != 0) return -1;
    Dataset ds;
    snprintf(path, sizeof path, "%s/train-images-idx3-ubyte.gz", data_dir);
    printf("fmnist: reading %s\n", path);
    if (dataset_load_idx(&ds, path, NULL, 0, 28, 28, 0, err) != 0) return -1;
    int rc = fm_train(args, dir, data_dir, evaluator_path, &ds, out, err);
    dataset_free(&ds);
    return rc;
}

static int fm_train(const Args *args, const char *dir, const char *data_dir,
                    const char *evaluator_path, Dataset *ds, Outputs *out, Error *err) {
    char path[PATH_LEN], ckpt[PATH_LEN];
    snprintf(ckpt, sizeof ckpt, "%s/checkpoint.bin", dir);
    Rng rng, eval_rng;
    rng_seed(&rng, (uint64_t)args->seed);
    // The FCD's noise has its own generator: the same 10,000 z every epoch,
    // whatever the training draws (and after a resume).
    rng_seed(&eval_rng, (uint64_t)args->seed + 1000);
    int B = args->batch;
    GanSpec spec = {
        .g_sizes = {FM_Z, 256, 512, FM_X}, .g_layers = 3,
        .g_hidden = MLP_ACT_LEAKY_RELU, .g_out = MLP_ACT_TANH,
        .d_sizes = {FM_X, 512, 256, 1}, .d_layers = 3, .d_hidden = MLP_ACT_LEAKY_RELU,
        .max_batch = B, .lr = args->lr, .beta1 = 0.5f, .beta2 = 0.999f,
    };
    Gan gan;
    if (gan_build(&gan, &spec, &rng, err) != 0) return -1;
    float *z_fixed = malloc(sizeof(float) * FM_GRID * FM_Z);
    float *z_eval = malloc(sizeof(float) * EVAL_FCD_SAMPLES * FM_Z);
    float *real = malloc(sizeof(float) * B * FM_X);
    float *z = malloc(sizeof(float) * B * FM_Z);
    rng_fill_normal(&rng, z_fixed, FM_GRID * FM_Z, 0.0f, 1.0f);
    rng_fill_normal(&eval_rng, z_eval, EVAL_FCD_SAMPLES * FM_Z, 0.0f, 1.0f);
    Batcher batcher;
    int rc = -1;
    if (batcher_init(&batcher, ds, B, 1, err) != 0) goto done_gan;

    long step = 0;
    int epoch = 0;
    CheckpointModel models[2];
    checkpoint_models(models, &gan);
    if (args->resume) {
        CheckpointInfo info;
        if (checkpoint_load(ckpt, models, 2, &info, &rng, err) != 0) goto done_batcher;
        step = info.step;
        epoch = info.epoch;
        printf("fmnist: resumed after epoch %d (step %ld) from %s\n", epoch, step, ckpt);
    }

    TrainGuard guard;
    guard_init(&guard, ckpt, args->resume ? step : -1);
    if (guard_check_output(dir, guard_checkpoint_bytes(models, 2), err) != 0) goto done_batcher;
    FcdLog fl;
    if (fcdlog_open(&fl, dir, data_dir, evaluator_path, "epoch", NULL, args->resume ? step : -1,
                    err) != 0)
        goto done_batcher;
    CsvLog log;
    snprintf(path, sizeof path, "%s/loss.csv", dir);
    if (csvlog_open(&log, path, LOSS_HEADER, args->resume ? step : -1, err) != 0)
        goto done_fcd;
    int per_epoch = batcher_batches_per_epoch(&batcher);
    printf("fmnist: %d images, G 100-256-512-784, D 784-512-256-1, batch %d, lr %g, "
           "%d epochs of %d steps\n", ds->n, B, args->lr, args->epochs, per_epoch);
    // Epoch 0: the untrained G, whose FCD is the ceiling.
    if (epoch == 0 && (fm_grid(&gan, z_fixed, B, dir, 0, out, err) != 0 ||
                       fm_fcd(&gan, &fl, z_eval, B, 0, 0, err) != 0))
        goto done_log;

    Progress prog;
    progress_init(&prog, stderr, step, (long)args->epochs * per_epoch, B, 10.0);
    for (; epoch < args->epochs; epoch++) {
        double t0 = progress_now();
        while (batcher_next(&batcher, real, NULL, &rng) == B) {
            float d_real, d_fake;
            rng_fill_normal(&rng, z, B * FM_Z, 0.0f, 1.0f);
            float loss_d = gan_d_step(&gan, &d_real, &d_fake, real, z, B);
            rng_fill_normal(&rng, z, B * FM_Z, 0.0f, 1.0f);
            float loss_g = gan_g_step(&gan, z, B);
            step++;
            if (guard_check_loss(&guard, "loss_d", loss_d, step, err) != 0 ||
                guard_check_loss(&guard, "loss_g", loss_g, step, err) != 0) {
                progress_done(&prog);
                goto done_log;
            }
            csvlog_add(&log, (double[]){loss_d, loss_g, d_real, d_fake});
            progress_update(&prog, step, "epoch %d  D %.3f  G %.3f  D(x) %.2f  D(G(z)) %.2f",
                            epoch + 1, loss_d, loss_g, d_real, d_fake);
            if (step % 50 == 0 && csvlog_write_means(&log, step, err) != 0) goto done_log;
        }
        progress_done(&prog);
        if (csvlog_write_means(&log, step, err) != 0) goto done_log;
        printf("fmnist: epoch %d done in %.1f s\n", epoch + 1, progress_now() - t0);
        CheckpointInfo info = {.step = step, .epoch = epoch + 1};
        snprintf(info.meta, sizeof info.meta, "lesson 02 fmnist");
        if (fm_grid(&gan, z_fixed, B, dir, epoch + 1, out, err) != 0 ||
            fm_fcd(&gan, &fl, z_eval, B, step, epoch + 1, err) != 0 ||
            checkpoint_save(ckpt, models, 2, &info, &rng, err) != 0)
            goto done_log;
        guard_saved(&guard, step);
        plot_curves(dir, path, "Fashion-MNIST, MLP GAN", NULL);   // to watch during the run
        fcdlog_plot(&fl, NULL);
    }
    char fcd[128];
    fcdlog_format(&fl, fcd, sizeof fcd);
    printf("fmnist: %s\n", fcd);
    outputs_add(out, path);
    outputs_add(out, fl.csv);
    plot_curves(dir, path, "Fashion-MNIST, MLP GAN", out);
    fcdlog_plot(&fl, out);
    outputs_add(out, ckpt);
    rc = 0;

done_log:
    csvlog_close(&log);
done_fcd:
    fcdlog_close(&fl);
done_batcher:
    batcher_free(&batcher);
done_gan:
    free(z_fixed);
    free(z_eval);
    free(real);
    free(z);
    gan_free(&gan);
    return rc;
}

// ---------------------------------------------------------------- main

int main(int argc, char **argv) {
    Args args;
    args_init(&args, "02_vanilla_gan", "a GAN of two MLPs, backpropagation by hand");
    // --steps, --ring-* drive part 1; --epochs, --batch, --lr drive part 2
    args.steps = 3000;
    args.epochs = 8;
    args.batch = 64;
    args.lr = 2e-4f;
    // One thread by default: measured on the course's 2-core machine while other
    // programs ran, two threads made an epoch 4x SLOWER (171 s against 39 s),
    // because OpenMP threads wait for a core the other programs hold.
    // --threads 0 uses every core; try it on an idle machine.
    args.threads = 1;
    const char *part = "both";
    const char *data_dir = EVALUATOR_DEFAULT_DATA;
    const char *evaluator_path = EVALUATOR_DEFAULT_PATH;
    RingConfig ring = {.batch = 256, .z_dim = 2, .every = 250, .lr = 1e-3f};
    args_add_choice(&args, "part", &part, "ring|fmnist|both", "which part to run");
    args_add_int(&args, "ring-batch", &ring.batch, "part 1: mini-batch size");
    args_add_float(&args, "ring-lr", &ring.lr, "part 1: learning rate");
    args_add_int(&args, "ring-z", &ring.z_dim, "part 1: noise size, 1 to 16");
    args_add_int(&args, "scatter-every", &ring.every, "part 1: steps between scatter plots");
    args_add_string(&args, "data", &data_dir, "part 2: folder of the Fashion-MNIST IDX files");
    args_add_string(&args, "evaluator", &evaluator_path,
                    "part 2: the classifier behind FCD (trained first when missing)");

    int code = args_parse_or_usage(&args, argc, argv);
    if (code >= 0) return code;   // --help, or a wrong flag
    if (ring.batch < 1 || ring.every < 1 || !(ring.lr > 0))
        return args_usage_error(&args, "--ring-batch, --scatter-every and --ring-lr must be positive");
    ring.steps = args.steps;

    Outputs out;
    Error err;
    int rc = run_start(&out, &args, &err);
    if (rc == 0 && strcmp(part, "fmnist") != 0) rc = run_ring(&args, &ring, &out, &err);
    if (rc == 0 && strcmp(part, "ring") != 0)
        rc = run_fmnist(&args, data_dir, evaluator_path, &out, &err);
    return run_end(&out, rc, &err);
}
