// main.c - lesson 02's program: a vanilla GAN of two MLPs, trained with the
// forward and backward passes you wrote (mlp.c) and the two steps you wired
// (gan_step.c). With an unfinished exercise it stops and names it. The
// training loop (common/trainloop.h) does the rest: checkpoints, --resume,
// Ctrl-C, logs, curves, report.html.
//
// Part 1 (--part ring, folder ring/): points in the plane drawn from 8
//   Gaussians on a ring (ring.h). Every --scatter-every steps: a scatter plot
//   of real and generated points (samples_stepNNNNN.png, the points in
//   samples_stepNNNNN.csv), and how many of the 8 modes the generator covers.
// Part 2 (--part fmnist, folder fmnist/): 28x28 Fashion-MNIST images, 60,000
//   of them. Every epoch: an 8x8 grid of samples from the same 64 noise
//   vectors (samples_epochNN.png), and the FCD of 10,000 samples
//   (common/fcdlog.h): eval.csv and fcd.png.
// Both: loss.csv (step, loss_d, loss_g, d_real, d_fake), loss.png and
// d_outputs.png, checkpoint.bin for --resume, report.html; config.txt.
//
//     make run LESSON=02                          (your code)
//     make run LESSON=02 SOLUTIONS=1              (the reference)
//     make run LESSON=02 ARGS="--part ring --steps 2000"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fcdlog.h"
#include "gan.h"
#include "image.h"
#include "ring.h"
#include "trainloop.h"

#define FM_Z 100
#define FM_X (28 * 28)
#define FM_GRID 64   // samples in the per-epoch grid, 8x8

typedef struct {
    Gan gan;
    Rng rng;          // the data, the noise, the ring's snapshots
    int batch, z_dim;
    float *real, *z;  // one batch
    Dataset ds;       // part 2
    Batcher batcher;
    float *z_fixed, *z_eval;   // part 2: the grid's and the FCD's noise, the same every epoch
    const char *data_dir, *evaluator_path;
    FcdLog fl;
} Part;

static int steps(Part *p, float *v) {
    int B = p->batch;
    rng_fill_normal(&p->rng, p->z, B * p->z_dim, 0.0f, 1.0f);
    v[0] = gan_d_step(&p->gan, &v[2], &v[3], p->real, p->z, B);   // loss_d, d_real, d_fake
    rng_fill_normal(&p->rng, p->z, B * p->z_dim, 0.0f, 1.0f);
    v[1] = gan_g_step(&p->gan, p->z, B);                          // loss_g
    return 0;
}

static int ring_step(void *part, TrainLoop *loop, float *v, Error *err) {
    (void)loop, (void)err;
    Part *p = part;
    ring_sample(p->real, p->batch, &p->rng);
    return steps(p, v);
}

static int ring_picture(void *part, TrainLoop *loop, const char *png, Error *err) {
    Part *p = part;
    char csv[OUTPUTS_PATH_LEN];
    snprintf(csv, sizeof csv, "%.*s.csv", (int)strlen(png) - 4, png);
    train_add_file(loop, strrchr(csv, '/') + 1, TRAIN_FILE_DATA);
    return ring_snapshot(&p->gan, p->z_dim, p->batch, loop->step, png, csv, &p->rng, err);
}

static int fm_step(void *part, TrainLoop *loop, float *v, Error *err) {
    (void)loop, (void)err;
    Part *p = part;
    if (batcher_next(&p->batcher, p->real, NULL, &p->rng) != p->batch)   // a new epoch
        batcher_next(&p->batcher, p->real, NULL, &p->rng);
    return steps(p, v);
}

// imgs (n, 1, 28, 28) = G(z), z (n, FM_Z), a batch at a time (G's buffers hold one).
static void fm_generate(Part *p, float *imgs, const float *z, int n) {
    for (int i = 0; i < n; i += p->batch) {
        int b = n - i < p->batch ? n - i : p->batch;
        memcpy(imgs + (long)i * FM_X, mlp_forward(&p->gan.g, z + (long)i * FM_Z, b),
               sizeof(float) * b * FM_X);
    }
}

static int fm_grid(void *part, TrainLoop *loop, const char *png, Error *err) {
    (void)loop;
    static float imgs[FM_GRID * FM_X];
    fm_generate(part, imgs, ((Part *)part)->z_fixed, FM_GRID);
    return image_write_grid(png, imgs, FM_GRID, 1, 28, 28, 8, err);
}

static int fm_fcd(void *part, TrainLoop *loop, Error *err) {
    Part *p = part;
    fm_generate(p, p->fl.images, p->z_eval, EVAL_FCD_SAMPLES);
    return fcdlog_measure(&p->fl, err) != 0 ? -1 : fcdlog_write_at(&p->fl, loop, NULL, err);
}

static int fm_start(void *part, TrainLoop *loop, Error *err) {
    Part *p = part;
    return fcdlog_start(&p->fl, loop, p->data_dir, p->evaluator_path, "epoch", NULL, err);
}

static void fm_close(void *part, TrainLoop *loop) {
    (void)loop;
    fcdlog_close(&((Part *)part)->fl);
}

// One part: its loop in its own folder, with both networks, the RNG and the curves.
static int run_part(Part *p, const Args *args, const char *name, const char *what,
                    TrainSpec *spec) {
    char dir[1100], title[2][128];
    snprintf(title[0], sizeof title[0], "%s: the two losses", what);
    snprintf(title[1], sizeof title[1], "%s: mean D(x) (d_real) and D(G(z)) (d_fake)", what);
    snprintf(dir, sizeof dir, "%s/%s", args->out, name);
    spec->lesson = p;
    spec->log_columns = "loss_d,loss_g,d_real,d_fake";
    spec->progress_labels = "D,G,D(x),D(G(z))";
    spec->images_per_step = p->batch;
    spec->resume_missing_ok = 1;   // --part both, stopped in part 1: part 2 has no checkpoint yet
    static TrainLoop loop;
    train_init(&loop, args, dir, spec);
    train_add_network(&loop, "G", &p->gan.g.ps, &p->gan.opt_g);
    train_add_network(&loop, "D", &p->gan.d.ps, &p->gan.opt_d);
    train_add_rng(&loop, "rng", &p->rng);
    if (p->batcher.order) train_add_batcher(&loop, "batches", &p->batcher);
    train_add_plot(&loop, "loss.png", "loss.csv", "loss_d,loss_g", title[0], NULL);
    train_add_plot(&loop, "d_outputs.png", "loss.csv", "d_real,d_fake", title[1], "D output");
    return train_main(&loop);
}

static int build(Part *p, const GanSpec *spec, int z_dim) {
    Error err;
    p->z_dim = z_dim;
    p->batch = spec->max_batch;
    p->real = malloc(sizeof(float) * p->batch * spec->d_sizes[0]);
    p->z = malloc(sizeof(float) * p->batch * z_dim);
    if (gan_build(&p->gan, spec, &p->rng, &err) == 0) return 0;
    fprintf(stderr, "%s\n", err.msg);
    return 1;
}

static void part_free(Part *p) {
    gan_free(&p->gan);
    free(p->real), free(p->z), free(p->z_fixed), free(p->z_eval);
    batcher_free(&p->batcher);
    dataset_free(&p->ds);
}

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
    int ring_batch = 256, ring_z = 2, every = 250, ckpt_every = 0;
    float ring_lr = 1e-3f;
    Part fm = {.data_dir = EVALUATOR_DEFAULT_DATA, .evaluator_path = EVALUATOR_DEFAULT_PATH};
    args_add_choice(&args, "part", &part, "ring|fmnist|both", "which part to run");
    args_add_int(&args, "ring-batch", &ring_batch, "part 1: mini-batch size");
    args_add_float(&args, "ring-lr", &ring_lr, "part 1: learning rate");
    args_add_int(&args, "ring-z", &ring_z, "part 1: noise size, 1 to 16");
    args_add_int(&args, "scatter-every", &every, "part 1: steps between scatter plots");
    args_add_int(&args, "checkpoint-every", &ckpt_every, "part 1: steps between checkpoints (0: at each scatter plot)");
    args_add_string(&args, "data", &fm.data_dir, "part 2: folder of the Fashion-MNIST IDX files");
    args_add_string(&args, "evaluator", &fm.evaluator_path, "part 2: the classifier behind FCD (trained first when missing)");
    int code = args_parse_or_usage(&args, argc, argv);
    if (code >= 0) return code;   // --help, or a wrong flag
    if (ring_batch < 1 || every < 1 || !(ring_lr > 0) || ckpt_every < 0 || ring_z < 1 ||
        ring_z > 16 || args.steps < 1 || args.epochs < 1 || args.batch < 1)
        return args_usage_error(&args, "--ring-batch, --scatter-every, --ring-lr, --steps, "
                                "--epochs and --batch must be positive, --ring-z 1 to 16");

    int rc = 0;
    if (strcmp(part, "fmnist") != 0) {
        // G: z -> 128 -> 128 -> 2 with ReLU and a linear output (the ring reaches
        // radius 2, beyond tanh's range); D: 2 -> 128 -> 128 -> 1 with LeakyReLU.
        Part ring = {0};
        rng_seed(&ring.rng, (uint64_t)args.seed);
        GanSpec g = {.g_sizes = {ring_z, 128, 128, 2}, .g_layers = 3, .g_hidden = MLP_ACT_RELU,
                     .g_out = MLP_ACT_NONE, .d_sizes = {2, 128, 128, 1}, .d_layers = 3,
                     .d_hidden = MLP_ACT_LEAKY_RELU, .max_batch = ring_batch, .lr = ring_lr,
                     .beta1 = 0.5f, .beta2 = 0.999f};
        // The ring's matrices are tiny (256 x 128): a second thread costs more
        // in waking up and waiting than it saves, so this part runs on one.
        TrainSpec spec = {.step = ring_step, .sample = ring_picture, .log_every = 25,
                          .steps = args.steps, .sample_every = every, .threads = 1,
                          .checkpoint_every = ckpt_every ? ckpt_every : every,
                          .meta = "lesson 02 ring"};
        printf("ring: 8 Gaussians, G %d-128-128-2, D 2-128-128-1, batch %d, lr %g, %d steps\n",
               ring_z, ring_batch, ring_lr, args.steps);
        rc = build(&ring, &g, ring_z);
        if (rc == 0) rc = run_part(&ring, &args, "ring", "ring of 8 Gaussians", &spec);
        part_free(&ring);
    }
    if (rc == 0 && strcmp(part, "ring") != 0) {
        Error err;
        char path[1100];
        snprintf(path, sizeof path, "%s/train-images-idx3-ubyte.gz", fm.data_dir);
        printf("fmnist: reading %s\n", path);
        rng_seed(&fm.rng, (uint64_t)args.seed);
        GanSpec g = {.g_sizes = {FM_Z, 256, 512, FM_X}, .g_layers = 3,
                     .g_hidden = MLP_ACT_LEAKY_RELU, .g_out = MLP_ACT_TANH,
                     .d_sizes = {FM_X, 512, 256, 1}, .d_layers = 3,
                     .d_hidden = MLP_ACT_LEAKY_RELU, .max_batch = args.batch, .lr = args.lr,
                     .beta1 = 0.5f, .beta2 = 0.999f};
        if (dataset_load_idx(&fm.ds, path, NULL, 0, &err) != 0 ||
            batcher_init(&fm.batcher, &fm.ds, args.batch, 1, &err) != 0) {
            fprintf(stderr, "%s\n", err.msg);
            rc = 1;
        }
        if (rc == 0) rc = build(&fm, &g, FM_Z);
        if (rc == 0) {
            // The grid's noise comes from the training RNG, the FCD's from its
            // own: the same 10,000 z every epoch, whatever the training draws.
            Rng eval_rng;
            rng_seed(&eval_rng, (uint64_t)args.seed + 1000);
            fm.z_fixed = malloc(sizeof(float) * FM_GRID * FM_Z);
            fm.z_eval = malloc(sizeof(float) * EVAL_FCD_SAMPLES * FM_Z);
            rng_fill_normal(&fm.rng, fm.z_fixed, FM_GRID * FM_Z, 0.0f, 1.0f);
            rng_fill_normal(&eval_rng, fm.z_eval, EVAL_FCD_SAMPLES * FM_Z, 0.0f, 1.0f);
            int per_epoch = batcher_batches_per_epoch(&fm.batcher);
            printf("fmnist: %d images, G 100-256-512-784, D 784-512-256-1, batch %d, lr %g, "
                   "%d epochs of %d steps\n", fm.ds.n, args.batch, args.lr, args.epochs, per_epoch);
            TrainSpec spec = {.step = fm_step, .sample = fm_grid, .evaluate = fm_fcd,
                              .start = fm_start, .close = fm_close, .log_every = 50,
                              .steps = (long)args.epochs * per_epoch, .steps_per_epoch = per_epoch,
                              .at_epoch_end = TRAIN_AT_EPOCH_SAMPLE | TRAIN_AT_EPOCH_EVAL |
                                              TRAIN_AT_EPOCH_CHECKPOINT | TRAIN_AT_EPOCH_LOG,
                              .meta = "lesson 02 fmnist"};
            rc = run_part(&fm, &args, "fmnist", "Fashion-MNIST, MLP GAN", &spec);
        }
        part_free(&fm);
    }
    return rc;
}
