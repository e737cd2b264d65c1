// main.c - lesson 06's program: CycleGAN on unpaired flat and 3-D emoji,
// trained with YOUR losses, residual block, image pool and training step
// (cyclegan_exercises.c); with an unfinished exercise it stops and names it.
// The training loop (common/train/trainloop.h) does the rest: checkpoints,
// --resume, Ctrl-C, logs, curves and report.html. What this file adds: the
// step (with the linear lr decay), the sample (strips of fixed test emoji
// there and back), the evaluation (the paired metric on held-out test
// emoji, test.csv) and metrics.txt. `translate` (cmd_translate.c) runs the
// trained G or F on your own images.
//
//     make run LESSON=06                                   (your code)
//     make run LESSON=06 SOLUTIONS=1                       (the reference)
//     make run LESSON=06 ARGS="--no-cycle --name no_cycle" (an ablation)
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cyclegan_tools.h"
#include "train/trainloop.h"

typedef struct {
    L06Cyclegan c;                // the four networks, the pools, c.rng: crops, flips, pools
    UnpairedSet train_set, test_set;
    UnpairedBatcher batches;
    int B, S, strip_count, test_count;
    long decay_from;              // the lr falls linearly to 0 from this step to the last
    float *a, *b;                 // one batch
    float *sa, *sb, *work;        // the strips' fixed test pairs, scratch
    CsvLog test_log;
} Lesson;

static int step(void *lesson, TrainLoop *loop, float *v, Error *err) {
    (void)err;
    Lesson *l = lesson;
    float lr = l->c.cfg.lr;
    if (loop->step >= l->decay_from)
        lr *= (float)(loop->total - loop->step) / (float)(loop->total - l->decay_from + 1);
    l->c.opt_g.lr = l->c.opt_f.lr = l->c.opt_dx.lr = l->c.opt_dy.lr = lr;
    // a short batch at an epoch's end is skipped, then 0 starts the next epoch
    while (unpaired_batcher_next(&l->batches, l->a, l->b, &l->c.rng) < l->B) continue;
    L06Stats s;
    l06_train_step(&l->c, &s, l->a, l->b, l->B, l->S, l->S);
    float row[] = {s.loss_g, s.adv_g, s.adv_f, s.cycle_a, s.cycle_b, s.idt_a, s.idt_b,
                   s.loss_dx, s.loss_dy, s.dx_real, s.dx_fake, s.dy_real, s.dy_fake, lr};
    memcpy(v, row, sizeof row);
    return 0;
}

static int sample(void *lesson, TrainLoop *loop, const char *png, Error *err) {
    (void)loop;
    Lesson *l = lesson;
    return l06_write_strip(&l->c, png, l->sa, l->sb, l->strip_count, l->S, l->work, err);
}

static int evaluate(void *lesson, TrainLoop *loop, Error *err) {
    Lesson *l = lesson;
    L06Metrics m;
    l06_evaluate(&l->c, &m, &l->test_set, l->test_count, l->S);
    l06_print_metrics("test pairs", &m);
    train_report_number(loop, "G(a) vs b L1 (copying a)", "%.4f (%.4f) at step %ld", m.l1_g,
                        m.l1_copy_a, loop->step);
    return csvlog_write(&l->test_log, (double[]){loop->step, m.l1_g, m.l1_copy_a, m.psnr_g,
                        m.psnr_copy_a, m.l1_f, m.psnr_f, m.psnr_copy_b, m.cycle_a, m.cycle_b}, err);
}

static int start(void *lesson, TrainLoop *loop, Error *err) {
    return train_open_log(loop, &((Lesson *)lesson)->test_log, "test.csv", "step,g_l1,copy_l1,"
                          "g_psnr,copy_a_psnr,f_l1,f_psnr,copy_b_psnr,cycle_a,cycle_b", err);
}

// Every test pair, for the README's tables: metrics.txt.
static int finish(void *lesson, TrainLoop *loop, Error *err) {
    Lesson *l = lesson;
    L06Metrics m;
    l06_evaluate(&l->c, &m, &l->test_set, l->test_set.n_a, l->S);
    l06_print_metrics("test pairs, all", &m);
    char path[OUTPUTS_PATH_LEN];
    snprintf(path, sizeof path, "%s/metrics.txt", loop->dir);
    train_add_file(loop, "metrics.txt", TRAIN_FILE_DATA);
    train_report_number(loop, "G(a) vs b, all test pairs", "L1 %.4f (copying a %.4f), PSNR %.2f "
                        "dB (%.2f)", m.l1_g, m.l1_copy_a, m.psnr_g, m.psnr_copy_a);
    train_report_number(loop, "F(b) vs a, all test pairs", "L1 %.4f, PSNR %.2f dB (%.2f)",
                        m.l1_f, m.psnr_f, m.psnr_copy_b);
    train_report_number(loop, "cycle error A, B", "%.4f, %.4f", m.cycle_a, m.cycle_b);
    return l06_write_metrics(path, &l->c.cfg, loop->step, &m, err);
}

int main(int argc, char **argv) {
    Args args;
    args_init(&args, "06_cyclegan", "CycleGAN: translation without pairs");
    args.steps = 2500;
    args.batch = 1;
    args.lr = 2e-4f;
    args.threads = 0;
    L06Config cfg = l06_default_config();
    cfg.g.ngf = 16;   // README, section 13: half of W3's width fits 2,500 steps in 10 minutes
    const char *data = "datasets/sketch2colour_unpaired", *upsample = "transposed";
    int size = 64, load_size = 72, no_flip = 0, no_cycle = 0, sample_every = 250;
    int strip_count = 6, test_count = 64, decay_pct = 50;
    args_add_string(&args, "data", &data, "folder with trainA/ trainB/ testA/ testB/ (README: "
                    "datasets/fluent, google2twitter_unpaired, sketch2colour_unpaired)");
    args_add_int(&args, "ngf", &cfg.g.ngf, "generators' width");
    args_add_int(&args, "blocks", &cfg.g.n_blocks, "generators' residual blocks");
    args_add_int(&args, "ndf", &cfg.d.ndf, "discriminators' width");
    args_add_bool(&args, "skip", &cfg.g.input_skip, "G(x) = x + tanh(..): G learns a change");
    args_add_choice(&args, "upsample", &upsample, "transposed|resize", "G's upsampling layers");
    args_add_float(&args, "lambda", &cfg.lambda, "weight of the cycle loss");
    args_add_float(&args, "identity", &cfg.identity, "identity weight, times lambda (0: none)");
    args_add_bool(&args, "no-cycle", &no_cycle, "leave the cycle loss out (the ablation)");
    args_add_int(&args, "pool", &cfg.pool_size, "images in each image pool (0: none)");
    args_add_int(&args, "decay", &decay_pct, "percent of the steps over which lr falls to 0");
    args_add_int(&args, "size", &size, "images are trained at size x size (a multiple of 8)");
    args_add_int(&args, "load-size", &load_size, "training images are resized to this, then "
                 "randomly cropped to --size");
    args_add_bool(&args, "no-flip", &no_flip, "no random left-right flips");
    args_add_int(&args, "sample-every", &sample_every, "steps between strips, evaluations and "
                 "checkpoints");
    args_add_int(&args, "strip-count", &strip_count, "test emoji in each strip (1 to 32)");
    args_add_int(&args, "test-count", &test_count, "test pairs scored during training");
    int code = args_parse_or_usage(&args, argc, argv);
    if (code >= 0) return code;   // --help, or a wrong flag
    if (sample_every < 1 || strip_count < 1 || strip_count > 32 || test_count < 1 ||
        args.batch < 1 || size < 16 || size % 8 || load_size < size || decay_pct < 0 ||
        decay_pct > 100 || cfg.g.ngf < 1 || cfg.d.ndf < 1 || cfg.pool_size < 0 ||
        cfg.g.n_blocks < 0 || cfg.g.n_blocks > RESNET_GEN_MAX_BLOCKS || !(cfg.lambda >= 0.0f) ||
        !(cfg.identity >= 0.0f))
        return args_usage_error(&args, "--size a multiple of 8 from 16, --load-size at least "
                                "--size, --decay 0 to 100, --strip-count 1 to 32, --blocks 0 to "
                                "%d; widths, counts and weights positive", RESNET_GEN_MAX_BLOCKS);
    cfg.cycle = !no_cycle;
    cfg.g.upsample = strcmp(upsample, "resize") == 0 ? RESNET_UP_RESIZE : RESNET_UP_TRANSPOSED;
    cfg.lr = args.lr;
    Lesson l = {.B = args.batch, .S = size, .strip_count = strip_count, .test_count = test_count};
    Error err;
    printf("data: %s\n", data);
    if (l06_load(&l.train_set, data, "train", load_size, &err) != 0 ||
        l06_load(&l.test_set, data, "test", size, &err) != 0 ||
        unpaired_batcher_init(&l.batches, &l.train_set, l.B, size, size, !no_flip, &err) != 0) {
        fprintf(stderr, "%s\n", err.msg);
        return 1;
    }
    printf("data: %d A and %d B training images (unpaired; loaded at %d, random %dx%d crops%s), "
           "%d test pairs\n", l.train_set.n_a, l.train_set.n_b, load_size, size, size,
           no_flip ? "" : " and flips", l.test_set.n_a);
    Rng rng;
    rng_seed(&rng, (uint64_t)args.seed);
    if (l06_cyclegan_init(&l.c, &cfg, size, size, &rng, &err) != 0) {
        fprintf(stderr, "%s\n", err.msg);
        return 1;
    }
    size_t batch = sizeof(float) * l.B * 3 * size * size;
    size_t strip = sizeof(float) * strip_count * 3 * size * size;
    l.a = l06_malloc(batch, "the batch from A"), l.b = l06_malloc(batch, "the batch from B");
    l.sa = l06_malloc(strip, "the strips' A"), l.sb = l06_malloc(strip, "the strips' B");
    l.work = l06_malloc(6 * strip, "the strips' scratch");
    l06_strip_pairs(l.sa, l.sb, &l.test_set, strip_count, size);
    l06_print_model(&l.c);
    char meta[CHECKPOINT_META_LEN];
    l06_config_to_meta(meta, sizeof meta, &cfg);
    long total = args.steps > 0 ? args.steps : (long)args.epochs * (l.train_set.n_a / l.B);
    l.decay_from = total - total * decay_pct / 100;
    TrainSpec spec = {
        .lesson = &l, .step = step, .sample = sample, .evaluate = evaluate, .start = start,
        .finish = finish, .log_columns = "loss_g,adv_g,adv_f,cycle_a,cycle_b,idt_a,idt_b,"
        "loss_dx,loss_dy,dx_real,dx_fake,dy_real,dy_fake,lr",
        .progress_labels = "G+F,advG,advF,cycA,cycB,idtA,idtB,DX,DY,DX(a),DX(F(b)),DY(b),"
        "DY(G(a)),lr",
        .log_every = total >= 200 ? (int)(total / 100) : 1, .log_with_samples = 1,
        .steps_per_epoch = l.train_set.n_a / l.B, .sample_every = sample_every,
        .eval_every = sample_every, .checkpoint_every = sample_every, .images_per_step = l.B,
        .meta = meta, .resume_same_meta = 1,
    };
    static TrainLoop loop;
    train_init(&loop, &args, NULL, &spec);
    train_add_network(&loop, "G", &l.c.ps_g, &l.c.opt_g);
    train_add_network(&loop, "F", &l.c.ps_f, &l.c.opt_f);
    train_add_network(&loop, "D_X", &l.c.ps_dx, &l.c.opt_dx);
    train_add_network(&loop, "D_Y", &l.c.ps_dy, &l.c.opt_dy);
    train_add_rng(&loop, "rng", &l.c.rng);
    l06_add_pools(&loop, &l.c);  // the pools' images and counts, for an exact resume
    train_add_state(&loop, "batches.order", l.batches.order, sizeof(int) * (size_t)l.train_set.n_a);
    train_add_state(&loop, "batches.pos", &l.batches.pos, sizeof l.batches.pos);
    train_add_state(&loop, "batches.epoch", &l.batches.epoch, sizeof l.batches.epoch);
    train_add_plot(&loop, "losses.png", "loss.csv", "adv_g,adv_f,cycle_a,cycle_b,idt_a,idt_b",
                   "G and F: adversarial (LSGAN), cycle and identity terms (unweighted)", NULL);
    train_add_plot(&loop, "d_losses.png", "loss.csv", "loss_dx,loss_dy",
                   "the discriminators' halved LSGAN losses", NULL);
    train_add_line_plot(&loop, "test_l1.png", "test.csv", "step", "g_l1,copy_l1,f_l1,cycle_a,cycle_b",
                        "test pairs: G(a) vs b, a vs b (copying), F(b) vs a, cycle errors", "L1", 0);
    int rc = train_main(&loop);

    free(l.a), free(l.b), free(l.sa), free(l.sb), free(l.work);
    unpaired_batcher_free(&l.batches);
    l06_cyclegan_free(&l.c);
    unpaired_free(&l.train_set);
    unpaired_free(&l.test_set);
    return rc;
}
