// main.c - lesson 02's program: a vanilla GAN of two MLPs, trained with the
// forward and backward passes you wrote (mlp_exercises.c) and the two steps you wired
// (gan_exercises.c). With an unfinished exercise it stops and names it. The
// training loop (common/train/trainloop.h) does the rest: checkpoints, --resume,
// Ctrl-C, logs, curves, report.html.
//
// Part 1 (--part ring, folder ring/): points in the plane drawn from 8
//   Gaussians on a ring (ring.h). Every --scatter-every steps: a scatter plot
//   of real and generated points (samples_stepNNNNN.png, the points in
//   samples_stepNNNNN.csv), and how many of the 8 modes the generator covers.
// Part 2 (--part fmnist, folder fmnist/): 28x28 Fashion-MNIST images, 60,000
//   of them. Every epoch: an 8x8 grid of samples from the same 64 noise
//   vectors (samples_epochNN.png), and the FCD of 10,000 samples
//   (common/eval/fcdlog.h): eval.csv and fcd.png.
// Both: loss.csv (step, loss_d, loss_g, d_real, d_fake), loss.png and
// d_outputs.png, checkpoint.bin for --resume, report.html; config.txt.
//
//     make run LESSON=02                          (your code)
//     make run LESSON=02 SOLUTIONS=1              (the reference)
//     make run LESSON=02 ARGS="--part ring --steps 2000"
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "part.h"
#include "ring.h"

static int steps(L02Part *p, float *v) {
    int B = p->batch;
    rng_fill_normal(&p->rng, p->z, B * p->z_dim, 0.0f, 1.0f);
    v[0] = l02_d_step(&p->gan, &v[2], &v[3], p->real, p->z, B);   // loss_d, d_real, d_fake
    rng_fill_normal(&p->rng, p->z, B * p->z_dim, 0.0f, 1.0f);
    v[1] = l02_g_step(&p->gan, p->z, B);                          // loss_g
    return 0;
}

static int ring_step(void *part, TrainLoop *loop, float *v, Error *err) {
    (void)loop, (void)err;
    L02Part *p = part;
    l02_ring_sample(p->real, p->batch, &p->rng);
    return steps(p, v);
}

static int ring_picture(void *part, TrainLoop *loop, const char *png, Error *err) {
    L02Part *p = part;
    char csv[OUTPUTS_PATH_LEN];
    snprintf(csv, sizeof csv, "%.*s.csv", (int)strlen(png) - 4, png);
    train_add_file(loop, strrchr(csv, '/') + 1, TRAIN_FILE_DATA);
    return l02_ring_snapshot(&p->gan, p->z_dim, p->batch, loop->step, png, csv, &p->rng, err);
}

static int fm_step(void *part, TrainLoop *loop, float *v, Error *err) {
    (void)loop, (void)err;
    L02Part *p = part;
    if (batcher_next(&p->batcher, p->real, NULL, &p->rng) != p->batch)   // a new epoch
        batcher_next(&p->batcher, p->real, NULL, &p->rng);
    return steps(p, v);
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
    L02Part fm = {.data_dir = EVALUATOR_DEFAULT_DATA, .evaluator_path = EVALUATOR_DEFAULT_PATH};
    args_add_choice(&args, "part", &part, "ring|fmnist|both", "which part to run");
    args_add_int_range(&args, "ring-batch", &ring_batch, 1, 65536, "part 1: mini-batch size");
    args_add_float(&args, "ring-lr", &ring_lr, "part 1: learning rate");
    args_add_int_range(&args, "ring-z", &ring_z, 1, 16, "part 1: noise size");
    args_add_int_range(&args, "scatter-every", &every, 1, INT_MAX, "part 1: steps between scatter plots");
    args_add_int_range(&args, "checkpoint-every", &ckpt_every, 0, INT_MAX, "part 1: steps between checkpoints (0: at each scatter plot)");
    args_add_string(&args, "data", &fm.data_dir, "part 2: folder of the Fashion-MNIST IDX files");
    args_add_string(&args, "evaluator", &fm.evaluator_path, "part 2: the classifier behind FCD (trained first when missing)");
    int code = args_parse_or_usage(&args, argc, argv);
    if (code >= 0) return code;   // --help, or a wrong flag
    if (!(ring_lr > 0) || args.steps < 1 || args.epochs < 1)
        return args_usage_error(&args, "--ring-lr, --steps and --epochs must be positive, "
                                "found %g, %d and %d", ring_lr, args.steps, args.epochs);

    int rc = 0;
    if (strcmp(part, "fmnist") != 0) {
        // G: z -> 128 -> 128 -> 2 with ReLU and a linear output (the ring reaches
        // radius 2, beyond tanh's range); D: 2 -> 128 -> 128 -> 1 with LeakyReLU.
        L02Part ring = {0};
        rng_seed(&ring.rng, (uint64_t)args.seed);
        L02GanSpec g = {.g_sizes = {ring_z, 128, 128, 2}, .g_layers = 3, .g_hidden = L02_ACT_RELU,
                     .g_out = L02_ACT_NONE, .d_sizes = {2, 128, 128, 1}, .d_layers = 3,
                     .d_hidden = L02_ACT_LEAKY_RELU, .max_batch = ring_batch, .lr = ring_lr,
                     .beta1 = 0.5f, .beta2 = 0.999f};
        // The ring's matrices are tiny (256 x 128): a second thread costs more
        // in waking up and waiting than it saves, so this part runs on one.
        TrainSpec spec = {.step = ring_step, .sample = ring_picture, .log_every = 25,
                          .steps = args.steps, .sample_every = every, .threads = 1,
                          .checkpoint_every = ckpt_every ? ckpt_every : every,
                          .meta = "lesson 02 ring"};
        printf("ring: 8 Gaussians, G %d-128-128-2, D 2-128-128-1, batch %d, lr %g, %d steps\n",
               ring_z, ring_batch, ring_lr, args.steps);
        rc = l02_part_init(&ring, &g, ring_z);
        if (rc == 0) rc = l02_part_run(&ring, &args, "ring", "ring of 8 Gaussians", &spec);
        l02_part_free(&ring);
    }
    if (rc == 0 && strcmp(part, "ring") != 0) {
        L02GanSpec g = {.g_sizes = {L02_FM_Z, 256, 512, L02_FM_X}, .g_layers = 3,
                     .g_hidden = L02_ACT_LEAKY_RELU, .g_out = L02_ACT_TANH,
                     .d_sizes = {L02_FM_X, 512, 256, 1}, .d_layers = 3,
                     .d_hidden = L02_ACT_LEAKY_RELU, .max_batch = args.batch, .lr = args.lr,
                     .beta1 = 0.5f, .beta2 = 0.999f};
        rc = l02_part_fmnist_init(&fm, &g, args.seed);
        if (rc == 0) {
            int per_epoch = batcher_batches_per_epoch(&fm.batcher);
            printf("fmnist: %d images, G 100-256-512-784, D 784-512-256-1, batch %d, lr %g, "
                   "%d epochs of %d steps\n", fm.ds.n, args.batch, args.lr, args.epochs, per_epoch);
            TrainSpec spec = {.step = fm_step, .sample = l02_part_fm_grid,
                              .evaluate = l02_part_fm_fcd,
                              .start = l02_part_fm_start, .log_every = 50,
                              .steps = (long)args.epochs * per_epoch, .steps_per_epoch = per_epoch,
                              .at_epoch_end = TRAIN_AT_EPOCH_SAMPLE | TRAIN_AT_EPOCH_EVAL |
                                              TRAIN_AT_EPOCH_CHECKPOINT | TRAIN_AT_EPOCH_LOG,
                              .meta = "lesson 02 fmnist"};
            rc = l02_part_run(&fm, &args, "fmnist", "Fashion-MNIST, MLP GAN", &spec);
        }
        l02_part_free(&fm);
    }
    return rc;
}
