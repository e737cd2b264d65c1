// bench.c - the C side of `make bench`: a reference workload of
// /work/shared/WORKLOADS.md trained with the course's library, timed the way
// bench/torch_workloads.py times PyTorch, and printed in the same line format:
//
//     W1 params net=G count=1806081
//     W1 flops net=G batch=64 fwd_gflop=3.500278 passes=4
//     W1 time impl=c threads=2 batch=64 steps=5 ms_per_step=... ms_min=... images_per_s=...
//        gflop_per_step=... gflop_per_s=... max_rss_mb=... base_rss_mb=...      (one line)
//     W1 ratio threads=2 torch_ms=... c_ms=... speedup=...   (with --torch FILE)
//
// One process per workload and thread count, so that max_rss_mb is that run's
// alone; `make bench` loops over the thread counts. The step, the FLOP
// convention and the model choices are defined in torch_workloads.py's
// docstring; this file follows them. Only W1 exists so far.
//
// Usage: bench --workload W1 --threads 2 --steps 5 --warmup 2 [--torch torch.txt]
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "args.h"
#include "conv.h"
#include "gemm.h"
#include "layers.h"
#include "optim.h"
#include "rng.h"
#include "tape.h"

// ---------------------------------------------------------------- measuring

static double now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return 1e3 * ts.tv_sec + 1e-6 * ts.tv_nsec;
}

// Resident memory now (from /proc), in MiB; 0 if it cannot be read.
static double rss_mb(void) {
    long pages = 0, resident = 0;
    FILE *f = fopen("/proc/self/statm", "r");
    if (!f) return 0;
    if (fscanf(f, "%ld %ld", &pages, &resident) != 2) resident = 0;
    fclose(f);
    return resident * (double)sysconf(_SC_PAGESIZE) / (1 << 20);
}

// Peak resident memory of this process, in MiB (ru_maxrss is in KiB on Linux).
static double peak_rss_mb(void) {
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_maxrss / 1024.0;
}

static int compare_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

// ---------------------------------------------------------------- FLOPs
// MACs of one forward pass, counted as torch_workloads.py counts them.

static double linear_macs(const Linear *l, int B) {
    return (double)B * l->weight->shape[0] * l->weight->shape[1];   // B * OUT * IN
}

// Input (B, C, H, W); weight (OC, C, K, K): B * OC * OH * OW * C * K * K.
static double conv2d_macs(const Conv2d *l, int B, int H, int W) {
    const int *w = l->weight->shape;
    ConvGeom g = conv2d_geom(B, w[1], H, W, w[0], w[2], l->stride, l->pad);
    return (double)B * g.OC * g.OH * g.OW * g.C * g.K * g.K;
}

// Input (B, C, H, W); weight (C, OC, K, K): B * C * H * W * OC * K * K.
static double conv_transpose2d_macs(const ConvTranspose2d *l, int B, int H, int W) {
    const int *w = l->weight->shape;
    return (double)B * w[0] * H * W * w[1] * w[2] * w[3];
}

// ---------------------------------------------------------------- W1 dcgan-fmnist

enum { W1_B = 64, W1_Z = 100 };

typedef struct {
    ParamSet ps;
    Linear fc;              // 100 -> 256*7*7, no bias (a norm follows)
    BatchNorm2d bn0;        // over the 12544 features, before the reshape
    ConvTranspose2d up1;    // 256 -> 128, 7 -> 14
    BatchNorm2d bn1;
    ConvTranspose2d up2;    // 128 -> 1, 14 -> 28
} DcganG;

typedef struct {
    ParamSet ps;
    Conv2d c1;              // 1 -> 64, 28 -> 14
    Conv2d c2;              // 64 -> 128, 14 -> 7, no bias
    BatchNorm2d bn2;
    Linear fc;              // 6272 -> 1
} DcganD;

static void dcgan_g_init(DcganG *g, Rng *rng) {
    paramset_init(&g->ps);
    nn_linear_init(&g->fc, &g->ps, "g.fc", W1_Z, 256 * 7 * 7, 0, rng);
    nn_batchnorm2d_init(&g->bn0, &g->ps, "g.bn0", 256 * 7 * 7, rng);
    nn_conv_transpose2d_init(&g->up1, &g->ps, "g.up1", 256, 128, 4, 2, 1, 0, 0, rng);
    nn_batchnorm2d_init(&g->bn1, &g->ps, "g.bn1", 128, rng);
    nn_conv_transpose2d_init(&g->up2, &g->ps, "g.up2", 128, 1, 4, 2, 1, 0, 1, rng);
}

static void dcgan_d_init(DcganD *d, Rng *rng) {
    paramset_init(&d->ps);
    nn_conv2d_init(&d->c1, &d->ps, "d.c1", 1, 64, 4, 2, 1, 1, rng);
    nn_conv2d_init(&d->c2, &d->ps, "d.c2", 64, 128, 4, 2, 1, 0, rng);
    nn_batchnorm2d_init(&d->bn2, &d->ps, "d.bn2", 128, rng);
    nn_linear_init(&d->fc, &d->ps, "d.fc", 128 * 7 * 7, 1, 1, rng);
}

// z (B, 100) -> (B, 1, 28, 28)
static Tensor *dcgan_g_forward(Tape *tp, DcganG *g, Tensor *z) {
    int B = z->shape[0];
    Tensor *h = tape_relu(tp, nn_batchnorm2d_forward(tp, &g->bn0, nn_linear_forward(tp, &g->fc, z), 1));
    h = tensor_reshape(tp, h, 4, (int[]){B, 256, 7, 7});
    h = tape_relu(tp, nn_batchnorm2d_forward(tp, &g->bn1, nn_conv_transpose2d_forward(tp, &g->up1, h), 1));
    return tape_tanh(tp, nn_conv_transpose2d_forward(tp, &g->up2, h));
}

// x (B, 1, 28, 28) -> (B, 1) logits
static Tensor *dcgan_d_forward(Tape *tp, DcganD *d, Tensor *x) {
    Tensor *h = tape_leaky_relu(tp, nn_conv2d_forward(tp, &d->c1, x), 0.2f);
    h = nn_batchnorm2d_forward(tp, &d->bn2, nn_conv2d_forward(tp, &d->c2, h), 1);
    h = tape_leaky_relu(tp, h, 0.2f);
    return nn_linear_forward(tp, &d->fc, tensor_flatten(tp, h));
}

typedef struct {
    Tape tape;
    Rng rng;
    DcganG g;
    DcganD d;
    Optimizer opt_g, opt_d;
    float *real;            // (B, 1, 28, 28): a fixed batch, uniform in [-1, 1)
    float loss_d, loss_g;   // of the last step
} W1;

static void w1_init(W1 *w, int seed) {
    rng_seed(&w->rng, (uint64_t)seed);
    tape_init(&w->tape);
    dcgan_g_init(&w->g, &w->rng);
    dcgan_d_init(&w->d, &w->rng);
    optim_adam_init(&w->opt_g, &w->g.ps, 2e-4f, 0.5f, 0.999f, 1e-8f);
    optim_adam_init(&w->opt_d, &w->d.ps, 2e-4f, 0.5f, 0.999f, 1e-8f);
    w->real = malloc(sizeof(float) * W1_B * 28 * 28);
    if (!w->real) { fprintf(stderr, "bench: out of memory\n"); exit(1); }
    rng_fill_uniform(&w->rng, w->real, W1_B * 28 * 28, -1.0f, 1.0f);
}

static void w1_free(W1 *w) {
    free(w->real);
    optim_free(&w->opt_g);
    optim_free(&w->opt_d);
    paramset_free(&w->g.ps);
    paramset_free(&w->d.ps);
    tape_free(&w->tape);
}

static Tensor *w1_noise(W1 *w) {
    Tensor *z = tape_tensor(&w->tape, 2, (int[]){W1_B, W1_Z}, 0);
    rng_fill_normal(&w->rng, z->data, W1_B * W1_Z, 0.0f, 1.0f);
    return z;
}

// One D update on 64 real + 64 fake (two batches), then one G update on 64
// fresh z with D frozen; the non-saturating G loss.
static void w1_step(W1 *w) {
    Tape *tp = &w->tape;
    tape_reset(tp);

    int was = tape_set_no_grad(tp, 1);
    Tensor *fake = dcgan_g_forward(tp, &w->g, w1_noise(w));
    tape_set_no_grad(tp, was);
    Tensor *real = tape_tensor(tp, 4, (int[]){W1_B, 1, 28, 28}, 0);
    memcpy(real->data, w->real, sizeof(float) * real->size);

    paramset_set_requires_grad(&w->d.ps, 1);
    paramset_zero_grad(&w->d.ps);
    Tensor *d_real = dcgan_d_forward(tp, &w->d, real);
    Tensor *d_fake = dcgan_d_forward(tp, &w->d, fake);
    Tensor *loss_d = tape_add(tp, tape_bce_with_logits(tp, d_real, tape_full_like(tp, d_real, 1.0f)),
                              tape_bce_with_logits(tp, d_fake, tape_full_like(tp, d_fake, 0.0f)));
    tape_backward(tp, loss_d);
    optim_step(&w->opt_d, &w->d.ps);

    paramset_set_requires_grad(&w->d.ps, 0);
    paramset_zero_grad(&w->g.ps);
    Tensor *d_gen = dcgan_d_forward(tp, &w->d, dcgan_g_forward(tp, &w->g, w1_noise(w)));
    Tensor *loss_g = tape_bce_with_logits(tp, d_gen, tape_full_like(tp, d_gen, 1.0f));
    tape_backward(tp, loss_g);
    optim_step(&w->opt_g, &w->g.ps);

    w->loss_d = loss_d->data[0];
    w->loss_g = loss_g->data[0];
}

// Prints the params and flops lines; returns FLOPs per step.
static double w1_report(W1 *w) {
    int B = W1_B;
    double g = linear_macs(&w->g.fc, B) + conv_transpose2d_macs(&w->g.up1, B, 7, 7)
             + conv_transpose2d_macs(&w->g.up2, B, 14, 14);
    double d = conv2d_macs(&w->d.c1, B, 28, 28) + conv2d_macs(&w->d.c2, B, 14, 14)
             + linear_macs(&w->d.fc, B);
    int g_passes = 1 + 3, d_passes = 3 + 3 + 2;   // see torch_workloads.py
    printf("W1 params net=G count=%ld\n", w->g.ps.size);
    printf("W1 params net=D count=%ld\n", w->d.ps.size);
    printf("W1 flops net=G batch=%d fwd_gflop=%.6f passes=%d\n", B, 2 * g / 1e9, g_passes);
    printf("W1 flops net=D batch=%d fwd_gflop=%.6f passes=%d\n", B, 2 * d / 1e9, d_passes);
    double flops = 2 * (g_passes * g + d_passes * d);
    printf("W1 flops gflop_per_step=%.6f\n", flops / 1e9);
    return flops;
}

// ---------------------------------------------------------------- comparing with PyTorch

// ms_per_step of "<workload> time impl=torch threads=<threads>" in path; 0 if absent.
static double torch_ms(const char *path, const char *workload, int threads) {
    FILE *f = fopen(path, "r");
    if (!f) {
        fprintf(stderr, "bench: cannot open %s (the output of torch_workloads.py); no ratio\n", path);
        return 0;
    }
    char line[512], prefix[64];
    snprintf(prefix, sizeof prefix, "%s time impl=torch threads=%d ", workload, threads);
    double ms = 0;
    while (fgets(line, sizeof line, f)) {
        const char *p = strstr(line, "ms_per_step=");
        if (strncmp(line, prefix, strlen(prefix)) == 0 && p) ms = atof(p + strlen("ms_per_step="));
    }
    fclose(f);
    return ms;
}

// ---------------------------------------------------------------- main

int main(int argc, char **argv) {
    Args args;
    args_init(&args, "bench", "time a reference workload with the course's library "
              "(its batch, lr and data are fixed: --batch, --lr, --epochs, --out, --name "
              "and --resume are ignored)");
    args.steps = 5;
    args.threads = 1;
    const char *workload = "W1";
    const char *torch_file = "";
    int warmup = 2;
    args_add_choice(&args, "workload", &workload, "W1", "the workload (bench/README.md)");
    args_add_int(&args, "warmup", &warmup, "untimed steps before the timed ones");
    args_add_string(&args, "torch", &torch_file,
                    "output of torch_workloads.py: print the speed ratio to PyTorch");
    Error err;
    int r = args_parse(&args, argc, argv, &err);
    if (r == ARGS_HELP) { args_usage(&args, stdout); return 0; }
    if (r != 0) { fprintf(stderr, "%s\n\n", err.msg); args_usage(&args, stderr); return 2; }
    if (args.steps < 1 || warmup < 0 || args.threads < 0) {
        fprintf(stderr, "bench: need --steps >= 1, --warmup >= 0, --threads >= 0\n");
        return 2;
    }
    compute_set_threads(args.threads);
    int threads = compute_threads();

    double base = rss_mb();
    W1 w;
    w1_init(&w, args.seed);
    double flops = w1_report(&w);
    fflush(stdout);

    for (int i = 0; i < warmup; i++) w1_step(&w);
    double *ms = malloc(sizeof(double) * args.steps);
    if (!ms) { fprintf(stderr, "bench: out of memory\n"); return 1; }
    for (int i = 0; i < args.steps; i++) {
        double t0 = now_ms();
        w1_step(&w);
        ms[i] = now_ms() - t0;
    }
    if (!isfinite(w.loss_d) || !isfinite(w.loss_g)) {
        fprintf(stderr, "bench: W1's losses are not finite (D %g, G %g)\n", w.loss_d, w.loss_g);
        return 1;
    }
    qsort(ms, args.steps, sizeof(double), compare_double);
    double med = args.steps % 2 ? ms[args.steps / 2]
                                : 0.5 * (ms[args.steps / 2 - 1] + ms[args.steps / 2]);
    printf("W1 time impl=c threads=%d batch=%d steps=%d ms_per_step=%.2f ms_min=%.2f "
           "images_per_s=%.2f gflop_per_step=%.4f gflop_per_s=%.2f max_rss_mb=%.1f base_rss_mb=%.1f\n",
           threads, W1_B, args.steps, med, ms[0], W1_B / (med / 1e3), flops / 1e9,
           flops / 1e9 / (med / 1e3), peak_rss_mb(), base);
    if (torch_file[0]) {
        double t = torch_ms(torch_file, "W1", threads);
        if (t > 0)
            printf("W1 ratio threads=%d torch_ms=%.2f c_ms=%.2f speedup=%.2f\n", threads, t, med, t / med);
        else
            printf("# W1: no PyTorch time for %d threads in %s\n", threads, torch_file);
    }
    free(ms);
    w1_free(&w);
    return 0;
}
