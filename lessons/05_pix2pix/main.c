// main.c - lesson 05's program: Pix2Pix on sketch -> colour emoji pairs,
// trained with YOUR forward passes, losses and training step
// (pix2pix_exercises.c); with an unfinished exercise it stops and names it.
// The training loop (common/train/trainloop.h) does the rest: checkpoints,
// --resume, Ctrl-C, logs, curves and report.html. What this file adds: the
// step, the sample (input | output | target for fixed validation pairs,
// every --sample-every steps), the evaluation (val.csv) and metrics.txt (the
// whole validation split). `infer` (cmd_infer.c) and `compare`
// (cmd_compare.c) use the trained model.
//
//     make run LESSON=05                                   (your code)
//     make run LESSON=05 SOLUTIONS=1                       (the reference)
//     make run LESSON=05 ARGS="--loss l1 --name l1"        (the ablation)
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "pix2pix_run.h"
#include "train/trainloop.h"
#include "train/translate.h"

typedef L05Run Lesson;   // the pairs, Pix2Pix, the strips' pairs (pix2pix_run.h)

static int step(void *lesson, TrainLoop *loop, float *v, Error *err) {
    (void)loop, (void)err;
    Lesson *l = lesson;
    if (paired_batcher_next(&l->batches, l->x, l->y, &l->p.rng) == 0)   // an epoch ended
        paired_batcher_next(&l->batches, l->x, l->y, &l->p.rng);
    L05Stats st;
    l05_train_step(&l->p, &st, l->x, l->y, l->B, l->S, l->S);
    float row[] = {st.loss_d, st.loss_g, st.g_gan, st.g_l1, st.d_real, st.d_fake};
    memcpy(v, row, sizeof row);
    return 0;
}

static int sample(void *lesson, TrainLoop *loop, const char *png, Error *err) {
    (void)loop;
    Lesson *l = lesson;
    l05_generate(&l->p, l->so, l->sx, l->strip_count, l->S, l->S);
    return translate_write_strip(png, l->sx, 3, &l->so, 1, l->sy, l->strip_count, l->S, l->S, err);
}

static int evaluate(void *lesson, TrainLoop *loop, Error *err) {
    Lesson *l = lesson;
    L05Metrics m;
    l05_evaluate_set(&l->p, &m, NULL, &l->val_set, l->val_count);
    l05_print_metrics("validation", &m);
    train_report_number(loop, "validation L1 (during training)", "%.4f at step %ld",
                        l05_metrics_l1(&m), loop->step);
    return csvlog_write(&l->val_log, (double[]){loop->step, l05_metrics_l1(&m),
                        l05_metrics_psnr(&m), l05_metrics_sharpness(&m),
                        l05_metrics_fill_sharpness(&m), l05_metrics_colour(&m)}, err);
}

static int start(void *lesson, TrainLoop *loop, Error *err) {
    return train_open_log(loop, &((Lesson *)lesson)->val_log, "val.csv", "step,val_l1,val_psnr,"
                          "val_sharpness,val_fill_sharpness,val_colour", err);
}

// The whole validation split, for the ablation table: metrics.txt.
static int finish(void *lesson, TrainLoop *loop, Error *err) {
    Lesson *l = lesson;
    L05Metrics m;
    l05_evaluate_set(&l->p, &m, NULL, &l->val_set, l->val_set.n);
    l05_print_metrics("validation, all pairs", &m);
    char path[OUTPUTS_PATH_LEN];
    snprintf(path, sizeof path, "%s/metrics.txt", loop->dir);
    int rc = l05_write_metrics(path, &l->p.cfg, loop->step, &m, err);
    train_add_file(loop, "metrics.txt", TRAIN_FILE_DATA);
    train_report_number(loop, "validation L1, all pairs", "%.4f", l05_metrics_l1(&m));
    train_report_number(loop, "validation PSNR, all pairs", "%.2f dB", l05_metrics_psnr(&m));
    train_report_number(loop, "validation sharpness, all pairs", "%.3f", l05_metrics_sharpness(&m));
    return rc;
}

int main(int argc, char **argv) {
    Args args;
    args_init(&args, "05_pix2pix", "Pix2Pix: I sketch, you colour");
    // 2000 steps (5.3 epochs): at 300 the strips' greens and pinks still come
    // out orange or blue; 2000 is what fits in under 10 minutes on an idle
    // 2-core machine (about 0.23 s a step, README section 8).
    args.steps = 2000;
    args.batch = 8;
    args.lr = 2e-4f;
    // Every core: the U-Net's convolutions keep two threads busy (0.23 s a
    // step against 0.43 s on one). On a machine busy with other jobs use
    // --threads 1 (README, section 8): a thread waiting for a taken core
    // stalls every convolution.
    args.threads = 0;
    L05RunOptions o = {.data = "datasets/emoji/sketch2google", .direction = "AtoB",
                       .load_size = 72, .crop = 64, .strip_count = 8, .val_count = 64};
    const char *loss = "l1+cgan", *net_g = "unet";
    float lambda = 100.0f;
    int sample_every = 200;
    args_add_string(&args, "data", &o.data, "folder with train/ and val/ of A|B pair PNGs");
    args_add_choice(&args, "direction", &o.direction, "AtoB|BtoA", "which half is G's input");
    args_add_choice(&args, "loss", &loss, "l1|cgan|l1+cgan", "G's loss (the ablation)");
    args_add_choice(&args, "netG", &net_g, "unet|encdec", "U-Net, or the encoder-decoder");
    args_add_float(&args, "lambda", &lambda, "weight of the L1 term");
    args_add_int_range(&args, "load-size", &o.load_size, 1, 1024, "training pairs are resized to this ...");
    args_add_int_range(&args, "crop", &o.crop, 1, 1024, "... then randomly cropped to this (a multiple of 2^6)");
    args_add_bool(&args, "no-flip", &o.no_flip, "no random left-right flips");
    args_add_int_range(&args, "sample-every", &sample_every, 1, INT_MAX, "steps between strips and checkpoints");
    args_add_int_range(&args, "strip-count", &o.strip_count, 1, 64, "validation pairs in each strip");
    args_add_int_range(&args, "val-count", &o.val_count, 1, INT_MAX,
                       "validation pairs scored during training (at most all of them)");
    int code = args_parse_or_usage(&args, argc, argv);
    if (code >= 0) return code;   // --help, or a wrong flag
    if (!(lambda >= 0.0f) || o.load_size < o.crop)
        return args_usage_error(&args, "--lambda: expected at least 0, found %g; --load-size: "
                                "expected at least --crop (%d), found %d", lambda, o.crop,
                                o.load_size);

    L05Config cfg = l05_default_config();
    cfg.loss = (L05Loss)l05_parse_loss(loss);
    cfg.g.no_skips = strcmp(net_g, "encdec") == 0;
    cfg.lambda = lambda;
    cfg.lr = args.lr;
    Lesson l = {0};
    if (l05_run_init(&l, &args, &cfg, &o) != 0) return 1;

    char meta[CHECKPOINT_META_LEN];
    l05_config_to_meta(meta, sizeof meta, &cfg);
    long total = args.steps > 0 ? args.steps : (long)args.epochs * (l.train_set.n / l.B);
    TrainSpec spec = {
        .lesson = &l, .step = step, .sample = sample, .evaluate = evaluate, .start = start,
        .finish = finish, .log_columns = "loss_d,loss_g,g_gan,g_l1,d_real,d_fake",
        .progress_labels = "D,G,GAN,L1,D(x;y),D(x;G(x))",
        // about 100 rows whatever the length: enough for the curves' moving average
        .log_every = total >= 200 ? (int)(total / 100) : 1, .log_with_samples = 1,
        .steps_per_epoch = l.train_set.n / l.B, .sample_every = sample_every,
        .eval_every = sample_every, .checkpoint_every = sample_every, .images_per_step = l.B,
        .meta = meta, .resume_same_meta = 1,
    };
    static TrainLoop loop;
    train_init(&loop, &args, NULL, &spec);
    train_add_network(&loop, "G", &l.p.ps_g, &l.p.opt_g);
    train_add_network(&loop, "D", &l.p.ps_d, &l.p.opt_d);
    train_add_rng(&loop, "rng", &l.p.rng);
    train_add_paired_batcher(&loop, "batches", &l.batches);
    train_add_plot(&loop, "losses.png", "loss.csv",
                   cfg.loss == L05_LOSS_L1 ? "g_l1" : "g_gan,g_l1,loss_d",
                   "pix2pix: G's GAN term, G's L1 term (unweighted), D", NULL);
    if (cfg.loss != L05_LOSS_L1)
        train_add_plot(&loop, "d_outputs.png", "loss.csv", "d_real,d_fake",
                       "mean D(x, y) (d_real) and D(x, G(x)) (d_fake) over the patches", "D output");
    int rc = train_main(&loop);

    l05_run_free(&l);
    return rc;
}
