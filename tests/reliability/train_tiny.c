// train_tiny.c - a GAN small enough to train in a second, built the way the
// lesson programs are (args, checkpoint, csvlog, train_guard), so that the
// reliability tests can kill it, resume it, starve it of disk and feed it NaN.
//
// G: z (B, 4) -> Linear 16 -> LeakyReLU -> Linear 2; D: x (B, 2) -> Linear 16
// -> LeakyReLU -> Linear 1 (a logit). The data are points from 4 Gaussians on
// a circle, drawn from the run's one RNG, so the RNG state saved in the
// checkpoint is all the data state there is. The learning rate decays
// linearly (pix2pix's schedule, an "epoch" being STEPS_PER_EPOCH steps), so a
// resumed run that got the step wrong would show it in the lr column.
//
// Exit codes: 0 done, 1 an I/O error (nothing good was replaced), 2 a usage
// error, 3 divergence (NaN/Inf; the last good checkpoint is kept).
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "args.h"
#include "checkpoint.h"
#include "csvlog.h"
#include "gemm.h"
#include "optim.h"
#include "train_guard.h"

#define Z_DIM 4
#define HIDDEN 16
#define STEPS_PER_EPOCH 25

typedef struct {
    ParamSet gps, dps;
    Linear g1, g2, d1, d2;
    Optimizer gopt, dopt;
} Gan;

static void gan_build(Gan *m, Rng *rng, float lr) {
    paramset_init(&m->gps);
    paramset_init(&m->dps);
    nn_linear_init(&m->g1, &m->gps, "g.fc1", Z_DIM, HIDDEN, 1, rng);
    nn_linear_init(&m->g2, &m->gps, "g.fc2", HIDDEN, 2, 1, rng);
    nn_linear_init(&m->d1, &m->dps, "d.fc1", 2, HIDDEN, 1, rng);
    nn_linear_init(&m->d2, &m->dps, "d.fc2", HIDDEN, 1, 1, rng);
    optim_adam_init(&m->gopt, &m->gps, lr, 0.5f, 0.999f, 1e-8f);
    optim_adam_init(&m->dopt, &m->dps, lr, 0.5f, 0.999f, 1e-8f);
}

static void gan_free(Gan *m) {
    optim_free(&m->gopt);
    optim_free(&m->dopt);
    paramset_free(&m->gps);
    paramset_free(&m->dps);
}

static Tensor *generator(Tape *tp, Gan *m, Tensor *z) {
    return nn_linear_forward(tp, &m->g2, tape_leaky_relu(tp, nn_linear_forward(tp, &m->g1, z), 0.2f));
}

static Tensor *discriminator(Tape *tp, Gan *m, Tensor *x) {
    return nn_linear_forward(tp, &m->d2, tape_leaky_relu(tp, nn_linear_forward(tp, &m->d1, x), 0.2f));
}

// x (B, 2): points near one of 4 centres on the circle of radius 2.
static void sample_data(float *x, int batch, Rng *rng) {
    for (int i = 0; i < batch; i++) {
        float angle = (float)rng_int(rng, 4) * 1.5707964f;
        x[2 * i] = 2.0f * cosf(angle) + 0.1f * rng_normal(rng);
        x[2 * i + 1] = 2.0f * sinf(angle) + 0.1f * rng_normal(rng);
    }
}

typedef struct {
    int ckpt_every;    // save every N steps (and at the end)
    int nan_loss_at;   // test hook: a NaN in the real batch at this step (0: never)
    int inf_grad_at;   // test hook: an Inf in g.fc2.weight's gradient at this step (0: never)
    int skip_preflight;// test hook: train without guard_check_output, to test a failing save
    int verify;        // load the checkpoint in --out, print its step, exit
} Options;

static void parts(Gan *m, CheckpointModel out[2]) {
    out[0] = (CheckpointModel){"G", &m->gps, &m->gopt};
    out[1] = (CheckpointModel){"D", &m->dps, &m->dopt};
}

// One GAN step; 0, or -1 with err when the guard stops it (nothing updated).
static int train_step(Gan *m, Tape *tp, const Args *a, const Options *o, long step,
                      const TrainGuard *guard, float out_losses[2], Rng *rng, Error *err) {
    tape_reset(tp);
    Tensor *x = tape_tensor(tp, 2, (int[]){a->batch, 2}, 0);
    Tensor *z = tape_tensor(tp, 2, (int[]){a->batch, Z_DIM}, 0);
    sample_data(x->data, a->batch, rng);
    rng_fill_normal(rng, z->data, (int)z->size, 0.0f, 1.0f);
    if (step == o->nan_loss_at) x->data[0] = NAN;

    // D: real -> 1, G(z) -> 0, with G's output detached.
    Tensor *fake = generator(tp, m, z);
    Tensor *d_real = discriminator(tp, m, x);
    Tensor *d_fake = discriminator(tp, m, tensor_detach(tp, fake));
    Tensor *loss_real = tape_bce_with_logits(tp, d_real, tape_full_like(tp, d_real, 1.0f));
    Tensor *loss_fake = tape_bce_with_logits(tp, d_fake, tape_full_like(tp, d_fake, 0.0f));
    Tensor *loss_d = tape_add(tp, loss_real, loss_fake);
    if (guard_check_loss(guard, "loss_d", loss_d->data[0], step, err)) return -1;
    paramset_zero_grad(&m->dps);
    tape_backward(tp, loss_d);
    if (guard_check_grads(guard, &m->dps, "D", step, err)) return -1;

    // G: the non-saturating loss through D (D's gradients from this pass are
    // zeroed before D's next update).
    Tensor *d_gen = discriminator(tp, m, fake);
    Tensor *loss_g = tape_bce_with_logits(tp, d_gen, tape_full_like(tp, d_gen, 1.0f));
    if (guard_check_loss(guard, "loss_g", loss_g->data[0], step, err)) return -1;
    paramset_zero_grad(&m->gps);
    tape_backward(tp, loss_g);
    if (step == o->inf_grad_at) m->g2.weight->grad[1] = INFINITY;
    if (guard_check_grads(guard, &m->gps, "G", step, err)) return -1;

    // Both checked: only now does anything change.
    optim_step(&m->dopt, &m->dps);
    optim_step(&m->gopt, &m->gps);
    out_losses[0] = loss_d->data[0];
    out_losses[1] = loss_g->data[0];
    return 0;
}

int main(int argc, char **argv) {
    Args args;
    args_init(&args, "reliability", "a tiny GAN for the kill, resume, disk and NaN tests");
    args.steps = 200;
    args.batch = 32;
    args.lr = 1e-3f;
    Options o = {.ckpt_every = 10};
    args_add_int(&args, "ckpt-every", &o.ckpt_every, "save a checkpoint every N steps");
    args_add_int(&args, "nan-loss-at", &o.nan_loss_at, "test: a NaN in the data at this step");
    args_add_int(&args, "inf-grad-at", &o.inf_grad_at, "test: an Inf in a gradient at this step");
    args_add_bool(&args, "skip-preflight", &o.skip_preflight, "test: no disk check before training");
    args_add_bool(&args, "verify", &o.verify, "load the checkpoint in --out, print its step");
    int code = args_parse_or_usage(&args, argc, argv);
    if (code >= 0) return code;
    if (o.ckpt_every < 1)
        return args_usage_error(&args, "--ckpt-every: expected 1 or more, found %d", o.ckpt_every);
    compute_set_threads(args.threads);
    Error err;

    char ckpt_path[1100], log_path[1100];
    snprintf(ckpt_path, sizeof ckpt_path, "%s/checkpoint.bin", args.out);
    snprintf(log_path, sizeof log_path, "%s/log.csv", args.out);

    Rng rng;
    rng_seed(&rng, (uint64_t)args.seed);
    Gan m;
    gan_build(&m, &rng, args.lr);
    CheckpointModel models[2];
    parts(&m, models);
    CheckpointInfo info = {0};
    int status = 1;
    Tape tp;
    tape_init(&tp);
    CsvLog log = {0};

    if (o.verify) {
        if (checkpoint_load(ckpt_path, models, 2, &info, &rng, &err) != 0) goto fail;
        printf("%s: step %ld\n", ckpt_path, info.step);
        status = 0;
        goto done;
    }
    FILE *probe = args.resume ? fopen(ckpt_path, "rb") : NULL;
    int resumed = probe != NULL;
    if (resumed) {
        fclose(probe);
        if (checkpoint_load(ckpt_path, models, 2, &info, &rng, &err) != 0) goto fail;
        printf("resuming %s at step %ld\n", ckpt_path, info.step);
    } else {
        if (args.resume) printf("no checkpoint in %s: starting at step 0\n", args.out);
        info.step = 0;
    }
    snprintf(info.meta, sizeof info.meta, "tests/reliability/train_tiny seed=%d", args.seed);
    if (args_write_config(&args, &err) != 0) goto fail;
    if (!o.skip_preflight &&
        guard_check_output(args.out, guard_checkpoint_bytes(models, 2), &err) != 0)
        goto fail;
    if (csvlog_open(&log, log_path, "step,loss_d,loss_g,lr", resumed ? info.step : -1, &err) != 0)
        goto fail;

    TrainGuard guard;
    guard_init(&guard, ckpt_path, resumed ? info.step : -1);
    int n_epochs = (args.steps + STEPS_PER_EPOCH - 1) / STEPS_PER_EPOCH;
    LrSchedule schedule = {LR_LINEAR_DECAY, args.lr, n_epochs / 2, n_epochs - n_epochs / 2};
    for (long step = info.step + 1; step <= args.steps; step++) {
        int epoch = (int)((step - 1) / STEPS_PER_EPOCH);
        m.gopt.lr = m.dopt.lr = lr_schedule_at(&schedule, epoch);
        float losses[2];
        if (train_step(&m, &tp, &args, &o, step, &guard, losses, &rng, &err) != 0) {
            fprintf(stderr, "%s\n", err.msg);
            status = 3;
            goto done;
        }
        if (csvlog_write(&log, (double[]){(double)step, losses[0], losses[1], m.gopt.lr}, &err))
            goto fail;
        if (step % o.ckpt_every == 0 || step == args.steps) {
            info.step = step;
            info.epoch = epoch;
            if (checkpoint_save(ckpt_path, models, 2, &info, &rng, &err) != 0) goto fail;
            guard_saved(&guard, step);
        }
    }
    printf("done: %s, %s\n", ckpt_path, log_path);
    status = 0;
    goto done;
fail:
    fprintf(stderr, "%s\n", err.msg);
done:
    csvlog_close(&log);
    tape_free(&tp);
    gan_free(&m);
    return status;
}
