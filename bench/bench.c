// bench.c - the C side of `make bench`: a reference workload of
// bench/WORKLOADS.md trained with the course's library models,
// timed the way bench/torch_workloads.py times PyTorch, and printed in the
// same line format:
//
//     W1 params net=G count=1818625
//     W1 flops net=G batch=64 fwd_gflop=3.500278 passes=4
//     W1 flops gflop_per_step=20.789723
//     W1 time impl=c threads=2 batch=64 steps=5 ms_per_step=... ms_min=... images_per_s=...
//        gflop_per_step=... gflop_per_s=... max_rss_mb=... base_rss_mb=...      (one line)
//     W1 memory impl=c threads=2 tape_arena_mb=... grad_pool_mb=... conv_scratch_mb=...
//     W1 ratio threads=2 torch_ms=... c_ms=... speedup=... torch_cpu_ms=... c_cpu_ms=...
//        cpu_speedup=...      (with --torch FILE; one line)
//
// and first the machine: its CPU, the GEMM kernels BLIS runs and the FMA
// peak measured by fma_peak.c, which the time line's peak_share divides by
//     W1 machine cpu="AMD EPYC" gemm_kernels=zen3 why="rule: ..." peak_avx512_1t=... (one line)
// (`bench --machine` prints that line alone).
//
// Workloads: W1 dcgan-fmnist, W2 pix2pix-64, W3 cyclegan-64, W4 adain-128
// and W4S (one AdaIN stylisation at 256x256). One process per workload and
// thread count, so that max_rss_mb is that run's alone; `make bench` loops.
// The step of each workload, the FLOP convention and the model choices are
// defined in torch_workloads.py's docstring; this file follows them, with
// the networks of common/models/dcgan.h, unet.h, patchgan.h, resnet_gen.h, vgg.h.
//
// Usage: bench --workload W2 --threads 2 --steps 5 --warmup 2 [--torch torch.txt] [--profile]
//        bench --machine
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "train/args.h"
#include "kernels/blas_kernels.h"
#include "kernels/conv.h"
#include "models/dcgan.h"
#include "fma_peak.h"
#include "kernels/gemm.h"
#include "kernels/norm.h"
#include "nn/optim.h"
#include "models/patchgan.h"
#include "models/resnet_gen.h"
#include "models/unet.h"
#include "models/vgg.h"

// ---------------------------------------------------------------- measuring

static double now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return 1e3 * ts.tv_sec + 1e-6 * ts.tv_nsec;
}

// CPU time of the whole process (every thread), in ms. On one thread it is
// what a busy machine distorts least: time others take the core is not in it.
static double cpu_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
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

static double median(double *x, int n) {
    qsort(x, n, sizeof(double), compare_double);
    return n % 2 ? x[n / 2] : 0.5 * (x[n / 2 - 1] + x[n / 2]);
}

// The CPU, BLIS's kernel set and the FMA peak, GFLOP/s (fma_peak.h: over
// thread CPU time, so a busy machine does not lower them).
static void print_machine(const char *workload, const FmaPeak *p) {
    char model[64];
    cpu_model_name(model, sizeof model);
    printf("%s machine cpu=\"%s\" gemm_kernels=%s why=\"%s\" peak_avx512_1t=%.1f "
           "peak_avx2_1t=%.1f peak_avx512_2t=%.1f peak_avx2_2t=%.1f\n",
           workload, model, gemm_kernel_set(), gemm_kernel_reason(), p->avx512_1, p->avx2_1,
           p->avx512_2, p->avx2_2);
}

static void *xmalloc(size_t bytes) {
    void *p = malloc(bytes);
    if (!p) { fprintf(stderr, "bench: out of memory\n"); exit(1); }
    return p;
}

// ---------------------------------------------------------------- the state of a run

enum { MAX_NETS = 4 };

// One network's share of the FLOP budget (torch_workloads.py's `budget`).
typedef struct {
    const char *name;
    long params;
    int batch;          // of the example input its forward MACs were counted on
    double fwd_macs;
    int passes;         // forward-pass units per step: 1, 2 or 3 per use
} NetBudget;

typedef struct {
    Tape tape;
    Rng rng;
    int batch;              // images_per_s counts these per step
    NetBudget nets[MAX_NETS];
    int n_nets;
    ParamSet ps_g, ps_d;    // W1-W3: generators, discriminators; W4: decoder, encoder
    Optimizer opt_g, opt_d; // opt_d unused in W4/W4S, opt_g unused in W4S
    int has_opt_g, has_opt_d;
    float *a, *b;           // fixed input batches: real images / domain A, B / content, style
    long a_size, b_size;
    float loss[2];          // of the last step, to check they are finite
    union {
        struct { DcganG g; DcganD d; } w1;
        struct { UNet g; PatchGan d; } w2;
        struct { ResnetGen g_ab, g_ba; PatchGan d_a, d_b; } w3;
        struct { VggEncoder enc; AdainDecoder dec; } w4;
    } m;
} Bench;

// A fixed batch of shape (B, C, H, W), uniform in [lo, hi), like torch.rand.
static float *fixed_batch(Bench *w, long *size, int B, int C, int H, int W, float lo, float hi) {
    *size = (long)B * C * H * W;
    float *x = xmalloc(sizeof(float) * *size);
    rng_fill_uniform(&w->rng, x, (int)*size, lo, hi);
    return x;
}

// A leaf on the step's tape holding a copy of a fixed batch.
static Tensor *batch_tensor(Tape *tp, const float *src, int B, int C, int H, int W) {
    Tensor *t = tape_tensor(tp, 4, (int[]){B, C, H, W}, 0);
    memcpy(t->data, src, sizeof(float) * t->size);
    return t;
}

// ---------------------------------------------------------------- FLOPs
// MACs of one forward pass, counted as torch_workloads.py counts them: the
// tape runs the net with counting stand-ins for the convolution kernels
// (no arithmetic, real shapes), on a tape of its own under no_grad, so the
// count costs neither time nor the step's memory. Linear layers are not in
// the kernel table; W1 adds its two from the layer shapes.

static double counted_macs;

// B * OC * OH * OW * C * K * K, padding included (what im2col + GEMM computes)
static void count_conv2d(float *out, float *col, const float *inp, const float *weight,
                         const float *bias, const ConvGeom *g) {
    (void)out, (void)col, (void)inp, (void)weight, (void)bias;
    counted_macs += (double)g->B * g->OC * g->OH * g->OW * g->C * g->K * g->K;
}

// B * C * H * W * OC * K * K, for an input of H x W
static void count_conv_transpose2d(float *out, float *col, const float *inp, const float *weight,
                                   const float *bias, const ConvGeom *g) {
    (void)out, (void)col, (void)inp, (void)weight, (void)bias;
    counted_macs += (double)g->B * g->C * g->H * g->W * g->OC * g->K * g->K;
}

typedef Tensor *(*ForwardFn)(Bench *w, Tape *tp, Tensor *x);

static double forward_macs(Bench *w, ForwardFn forward, int B, int C, int H, int W) {
    const TapeKernels counting = {
        .conv2d_forward = count_conv2d,
        .conv2d_backward = conv2d_backward,
        .conv_transpose2d_forward = count_conv_transpose2d,
        .conv_transpose2d_backward = conv_transpose2d_backward,
        .batchnorm_forward_train = batchnorm_forward_train,
        .batchnorm_backward = batchnorm_backward,
    };
    Tape tp;
    tape_init(&tp);
    tape_set_no_grad(&tp, 1);
    tape_use_kernels(&counting);
    counted_macs = 0;
    forward(w, &tp, tape_tensor(&tp, 4, (int[]){B, C, H, W}, 0));
    tape_use_kernels(NULL);
    tape_free(&tp);
    return counted_macs;
}

static void add_net(Bench *w, const char *name, long params, int batch, double fwd_macs,
                    int passes) {
    w->nets[w->n_nets++] = (NetBudget){name, params, batch, fwd_macs, passes};
}

// Prints the params and flops lines; returns FLOPs per step.
static double report(const Bench *w, const char *workload) {
    for (int i = 0; i < w->n_nets; i++)
        printf("%s params net=%s count=%ld\n", workload, w->nets[i].name, w->nets[i].params);
    double flops = 0;
    for (int i = 0; i < w->n_nets; i++) {
        const NetBudget *n = &w->nets[i];
        printf("%s flops net=%s batch=%d fwd_gflop=%.6f passes=%d\n", workload, n->name,
               n->batch, 2 * n->fwd_macs / 1e9, n->passes);
        flops += 2 * n->fwd_macs * n->passes;
    }
    printf("%s flops gflop_per_step=%.6f\n", workload, flops / 1e9);
    return flops;
}

// The optimiser's share of the profile (--profile); the tape times the ops.
static TapeProfile *profiling;
static double optim_ms;

static void step_optimizer(Optimizer *opt, ParamSet *ps) {
    double t0 = profiling ? now_ms() : 0;
    optim_step(opt, ps);
    if (profiling) optim_ms += now_ms() - t0;
}

// Adam with the GAN betas (0.5, 0.999), lr 2e-4, unless a workload says otherwise.
static void gan_optimizers(Bench *w) {
    optim_adam_init(&w->opt_g, &w->ps_g, 2e-4f, 0.5f, 0.999f, 1e-8f);
    optim_adam_init(&w->opt_d, &w->ps_d, 2e-4f, 0.5f, 0.999f, 1e-8f);
    w->has_opt_g = w->has_opt_d = 1;
}

static Tensor *bce_to(Tape *tp, Tensor *logits, float label) {
    return tape_bce_with_logits(tp, logits, tape_full_like(tp, logits, label));
}

static Tensor *mse_to(Tape *tp, Tensor *x, float label) {
    return tape_mse(tp, x, tape_full_like(tp, x, label));
}

// ---------------------------------------------------------------- W1 dcgan-fmnist

enum { W1_B = 64 };

static Tensor *w1_g_fwd(Bench *w, Tape *tp, Tensor *x) {
    return dcgan_g_forward(&w->m.w1.g, tp, tensor_reshape(tp, x, 2, (int[]){x->shape[0], 100}), 1);
}

static Tensor *w1_d_fwd(Bench *w, Tape *tp, Tensor *x) {
    return dcgan_d_forward(&w->m.w1.d, tp, x, 1);
}

// Linear layers: B * IN * OUT
static double linear_macs(const Linear *l, int B) {
    return (double)B * l->weight->shape[0] * l->weight->shape[1];
}

static void w1_init(Bench *w) {
    DcganConfig cfg = dcgan_config_w1();
    dcgan_g_init(&w->m.w1.g, &w->ps_g, "g", &cfg, &w->rng);
    dcgan_d_init(&w->m.w1.d, &w->ps_d, "d", &cfg, &w->rng);
    gan_optimizers(w);
    w->batch = W1_B;
    w->a = fixed_batch(w, &w->a_size, W1_B, 1, 28, 28, -1.0f, 1.0f);
    add_net(w, "G", w->ps_g.size, W1_B,
            forward_macs(w, w1_g_fwd, W1_B, 100, 1, 1) + linear_macs(&w->m.w1.g.fc, W1_B), 1 + 3);
    add_net(w, "D", w->ps_d.size, W1_B,
            forward_macs(w, w1_d_fwd, W1_B, 1, 28, 28) + linear_macs(&w->m.w1.d.fc, W1_B), 3 + 3 + 2);
}

static Tensor *w1_noise(Bench *w) {
    Tensor *z = tape_tensor(&w->tape, 2, (int[]){W1_B, 100}, 0);
    rng_fill_normal(&w->rng, z->data, (int)z->size, 0.0f, 1.0f);
    return z;
}

// One D update on 64 real + 64 fake (two batches), then one G update on 64
// fresh z with D frozen; the non-saturating G loss.
static void w1_step(Bench *w) {
    Tape *tp = &w->tape;
    DcganG *g = &w->m.w1.g;
    DcganD *d = &w->m.w1.d;
    tape_reset(tp);

    int was = tape_set_no_grad(tp, 1);
    TapeMark m = tape_mark(tp);
    Tensor *fake = dcgan_g_forward(g, tp, w1_noise(w), 1);
    tape_release(tp, m, &fake, 1);   // G's intermediate outputs: nobody needs them
    tape_set_no_grad(tp, was);
    Tensor *real = batch_tensor(tp, w->a, W1_B, 1, 28, 28);

    paramset_set_requires_grad(&w->ps_d, 1);
    paramset_zero_grad(&w->ps_d);
    Tensor *loss_d = tape_add(tp, bce_to(tp, dcgan_d_forward(d, tp, real, 1), 1.0f),
                              bce_to(tp, dcgan_d_forward(d, tp, fake, 1), 0.0f));
    tape_backward(tp, loss_d);
    step_optimizer(&w->opt_d, &w->ps_d);

    paramset_set_requires_grad(&w->ps_d, 0);
    paramset_zero_grad(&w->ps_g);
    Tensor *loss_g = bce_to(tp, dcgan_d_forward(d, tp, dcgan_g_forward(g, tp, w1_noise(w), 1), 1), 1.0f);
    tape_backward(tp, loss_g);
    step_optimizer(&w->opt_g, &w->ps_g);

    w->loss[0] = loss_d->data[0];
    w->loss[1] = loss_g->data[0];
}

// ---------------------------------------------------------------- W2 pix2pix-64

enum { W2_B = 8, W2_HW = 64 };

static Tensor *w2_g_fwd(Bench *w, Tape *tp, Tensor *x) {
    return unet_forward(&w->m.w2.g, tp, x, 1, &w->rng);
}

static Tensor *w2_d_fwd(Bench *w, Tape *tp, Tensor *x) {
    return patchgan_forward(&w->m.w2.d, tp, x, 1);
}

static void w2_init(Bench *w) {
    UNetConfig gc = unet_config_w2();
    PatchGanConfig dc = patchgan_config_w2();
    unet_init(&w->m.w2.g, &w->ps_g, "g", &gc, &w->rng);
    patchgan_init(&w->m.w2.d, &w->ps_d, "d", &dc, &w->rng);
    gan_optimizers(w);
    w->batch = W2_B;
    w->a = fixed_batch(w, &w->a_size, W2_B, 3, W2_HW, W2_HW, -1.0f, 1.0f);
    w->b = fixed_batch(w, &w->b_size, W2_B, 3, W2_HW, W2_HW, -1.0f, 1.0f);
    add_net(w, "G", w->ps_g.size, W2_B, forward_macs(w, w2_g_fwd, W2_B, 3, W2_HW, W2_HW), 3);
    add_net(w, "D", w->ps_d.size, W2_B, forward_macs(w, w2_d_fwd, W2_B, 6, W2_HW, W2_HW), 3 + 3 + 2);
}

// fake = G(A); D update on 0.5 (BCE(D(A,B), 1) + BCE(D(A,fake), 0)); then
// G update on BCE(D(A,fake), 1) + 100 L1(fake, B) with D frozen.
static void w2_step(Bench *w) {
    Tape *tp = &w->tape;
    UNet *g = &w->m.w2.g;
    PatchGan *d = &w->m.w2.d;
    tape_reset(tp);
    Tensor *A = batch_tensor(tp, w->a, W2_B, 3, W2_HW, W2_HW);
    Tensor *B = batch_tensor(tp, w->b, W2_B, 3, W2_HW, W2_HW);
    Tensor *fake = unet_forward(g, tp, A, 1, &w->rng);

    paramset_set_requires_grad(&w->ps_d, 1);
    paramset_zero_grad(&w->ps_d);
    Tensor *d_real = patchgan_forward(d, tp, tape_concat_channels(tp, A, B), 1);
    Tensor *d_fake = patchgan_forward(d, tp, tape_concat_channels(tp, A, tensor_detach(tp, fake)), 1);
    Tensor *loss_d = tape_scale(tp, tape_add(tp, bce_to(tp, d_real, 1.0f), bce_to(tp, d_fake, 0.0f)),
                                0.5f);
    tape_backward(tp, loss_d);
    step_optimizer(&w->opt_d, &w->ps_d);

    paramset_set_requires_grad(&w->ps_d, 0);
    paramset_zero_grad(&w->ps_g);
    Tensor *d_gen = patchgan_forward(d, tp, tape_concat_channels(tp, A, fake), 1);
    Tensor *loss_g = tape_add(tp, bce_to(tp, d_gen, 1.0f), tape_scale(tp, tape_l1(tp, fake, B), 100.0f));
    tape_backward(tp, loss_g);
    step_optimizer(&w->opt_g, &w->ps_g);

    w->loss[0] = loss_d->data[0];
    w->loss[1] = loss_g->data[0];
}

// ---------------------------------------------------------------- W3 cyclegan-64

enum { W3_HW = 64 };

static Tensor *w3_g_fwd(Bench *w, Tape *tp, Tensor *x) {
    return resnet_gen_forward(&w->m.w3.g_ab, tp, x, 1);
}

static Tensor *w3_d_fwd(Bench *w, Tape *tp, Tensor *x) {
    return patchgan_forward(&w->m.w3.d_a, tp, x, 1);
}

// Both generators in one ParamSet and both discriminators in another: one
// Adam each, as in the CycleGAN code.
static void w3_init(Bench *w) {
    ResnetGenConfig gc = resnet_gen_config_w3();
    PatchGanConfig dc = patchgan_config_w3();
    resnet_gen_init(&w->m.w3.g_ab, &w->ps_g, "g_ab", &gc, &w->rng);
    resnet_gen_init(&w->m.w3.g_ba, &w->ps_g, "g_ba", &gc, &w->rng);
    patchgan_init(&w->m.w3.d_a, &w->ps_d, "d_a", &dc, &w->rng);
    patchgan_init(&w->m.w3.d_b, &w->ps_d, "d_b", &dc, &w->rng);
    gan_optimizers(w);
    w->batch = 1;
    w->a = fixed_batch(w, &w->a_size, 1, 3, W3_HW, W3_HW, -1.0f, 1.0f);
    w->b = fixed_batch(w, &w->b_size, 1, 3, W3_HW, W3_HW, -1.0f, 1.0f);
    double g = forward_macs(w, w3_g_fwd, 1, 3, W3_HW, W3_HW);
    double d = forward_macs(w, w3_d_fwd, 1, 3, W3_HW, W3_HW);
    long gp = resnet_gen_param_count(&gc), dp = patchgan_param_count(&dc);
    add_net(w, "G_AB", gp, 1, g, 9);
    add_net(w, "G_BA", gp, 1, g, 9);
    add_net(w, "D_A", dp, 1, d, 2 + 3 + 3);
    add_net(w, "D_B", dp, 1, d, 2 + 3 + 3);
}

// G update (D's frozen): adversarial (LSGAN) + 10 cycle + 5 identity; then
// D update: 0.5 (MSE(D(real), 1) + MSE(D(fake), 0)) for each domain, no pool.
static void w3_step(Bench *w) {
    Tape *tp = &w->tape;
    ResnetGen *g_ab = &w->m.w3.g_ab, *g_ba = &w->m.w3.g_ba;
    PatchGan *d_a = &w->m.w3.d_a, *d_b = &w->m.w3.d_b;
    tape_reset(tp);
    Tensor *A = batch_tensor(tp, w->a, 1, 3, W3_HW, W3_HW);
    Tensor *B = batch_tensor(tp, w->b, 1, 3, W3_HW, W3_HW);

    paramset_set_requires_grad(&w->ps_d, 0);
    paramset_zero_grad(&w->ps_g);
    Tensor *fake_b = resnet_gen_forward(g_ab, tp, A, 1);
    Tensor *rec_a = resnet_gen_forward(g_ba, tp, fake_b, 1);
    Tensor *fake_a = resnet_gen_forward(g_ba, tp, B, 1);
    Tensor *rec_b = resnet_gen_forward(g_ab, tp, fake_a, 1);
    Tensor *idt_b = resnet_gen_forward(g_ab, tp, B, 1);
    Tensor *idt_a = resnet_gen_forward(g_ba, tp, A, 1);
    Tensor *adv = tape_add(tp, mse_to(tp, patchgan_forward(d_b, tp, fake_b, 1), 1.0f),
                           mse_to(tp, patchgan_forward(d_a, tp, fake_a, 1), 1.0f));
    Tensor *cycle = tape_add(tp, tape_l1(tp, rec_a, A), tape_l1(tp, rec_b, B));
    Tensor *idt = tape_add(tp, tape_l1(tp, idt_b, B), tape_l1(tp, idt_a, A));
    Tensor *loss_g = tape_add(tp, adv, tape_add(tp, tape_scale(tp, cycle, 10.0f),
                                                tape_scale(tp, idt, 5.0f)));
    tape_backward(tp, loss_g);
    step_optimizer(&w->opt_g, &w->ps_g);

    paramset_set_requires_grad(&w->ps_d, 1);
    paramset_zero_grad(&w->ps_d);
    Tensor *la = tape_add(tp, mse_to(tp, patchgan_forward(d_a, tp, A, 1), 1.0f),
                          mse_to(tp, patchgan_forward(d_a, tp, tensor_detach(tp, fake_a), 1), 0.0f));
    Tensor *lb = tape_add(tp, mse_to(tp, patchgan_forward(d_b, tp, B, 1), 1.0f),
                          mse_to(tp, patchgan_forward(d_b, tp, tensor_detach(tp, fake_b), 1), 0.0f));
    Tensor *loss_d = tape_scale(tp, tape_add(tp, la, lb), 0.5f);
    tape_backward(tp, loss_d);
    step_optimizer(&w->opt_d, &w->ps_d);

    w->loss[0] = loss_g->data[0];
    w->loss[1] = loss_d->data[0];
}

// ---------------------------------------------------------------- W4 adain-128, W4S

enum { W4_B = 4, W4_HW = 128, W4S_HW = 256 };

static Tensor *w4_enc_fwd(Bench *w, Tape *tp, Tensor *x) {
    return vgg_encoder_forward(&w->m.w4.enc, tp, x, NULL);
}

static Tensor *w4_dec_fwd(Bench *w, Tape *tp, Tensor *x) {
    return adain_decoder_forward(&w->m.w4.dec, tp, x);
}

// The decoder trains (ps_g); the encoder is frozen (ps_d, never stepped).
static void w4_nets(Bench *w, int B, int hw, int enc_passes, int dec_passes) {
    VggConfig cfg = vgg_config_w4();
    adain_decoder_init(&w->m.w4.dec, &w->ps_g, "dec", &cfg, &w->rng);
    vgg_encoder_init(&w->m.w4.enc, &w->ps_d, "enc", &cfg, &w->rng);
    w->batch = B;
    w->a = fixed_batch(w, &w->a_size, B, 3, hw, hw, 0.0f, 1.0f);
    w->b = fixed_batch(w, &w->b_size, B, 3, hw, hw, 0.0f, 1.0f);
    add_net(w, "encoder", w->ps_d.size, B, forward_macs(w, w4_enc_fwd, B, 3, hw, hw), enc_passes);
    add_net(w, "decoder", w->ps_g.size, B, forward_macs(w, w4_dec_fwd, B, 512, hw / 8, hw / 8),
            dec_passes);
}

static void w4_init(Bench *w) {
    w4_nets(w, W4_B, W4_HW, 1 + 1 + 2, 3);
    optim_adam_init(&w->opt_g, &w->ps_g, 1e-4f, 0.9f, 0.999f, 1e-8f);
    w->has_opt_g = 1;
}

static void w4s_init(Bench *w) {
    w4_nets(w, 1, W4S_HW, 2, 1);
}

// MSE of the channel means + MSE of the channel stds of two feature maps.
static Tensor *style_term(Tape *tp, Tensor *g, Tensor *s) {
    Tensor *gs = tape_mean_std_hw(tp, g, 1e-5f), *ss = tape_mean_std_hw(tp, s, 1e-5f);
    return tape_add(tp, tape_mse(tp, tensor_slice(tp, gs, 0, 1), tensor_slice(tp, ss, 0, 1)),
                    tape_mse(tp, tensor_slice(tp, gs, 1, 1), tensor_slice(tp, ss, 1, 1)));
}

// The encoder under no_grad on a fixed batch, keeping only what the step
// needs: relu4_1, or (feats) every level. Its other outputs are released.
static Tensor *encode_no_grad(Bench *w, const float *img, int B, int hw, Tensor **feats) {
    Tape *tp = &w->tape;
    TapeMark m = tape_mark(tp);
    Tensor *out = vgg_encoder_forward(&w->m.w4.enc, tp, batch_tensor(tp, img, B, 3, hw, hw), feats);
    if (feats) {
        tape_release(tp, m, feats, VGG_LEVELS);
        return feats[VGG_LEVELS - 1];
    }
    tape_release(tp, m, &out, 1);
    return out;
}

// Encoder on content and style without gradients, AdaIN, decoder, encoder
// on the output; content + 10 style loss; backward to the decoder; Adam.
static void w4_step(Bench *w) {
    Tape *tp = &w->tape;
    VggEncoder *enc = &w->m.w4.enc;
    tape_reset(tp);
    Tensor *s_feats[VGG_LEVELS], *g_feats[VGG_LEVELS];
    int was = tape_set_no_grad(tp, 1);
    Tensor *c4 = encode_no_grad(w, w->a, W4_B, W4_HW, NULL);
    Tensor *s4 = encode_no_grad(w, w->b, W4_B, W4_HW, s_feats);
    Tensor *t = adain(tp, c4, s4, 1e-5f);
    tape_set_no_grad(tp, was);

    paramset_zero_grad(&w->ps_g);
    vgg_encoder_forward(enc, tp, adain_decoder_forward(&w->m.w4.dec, tp, t), g_feats);
    Tensor *style = style_term(tp, g_feats[0], s_feats[0]);
    for (int k = 1; k < VGG_LEVELS; k++) style = tape_add(tp, style, style_term(tp, g_feats[k], s_feats[k]));
    Tensor *loss = tape_add(tp, tape_mse(tp, g_feats[VGG_LEVELS - 1], t), tape_scale(tp, style, 10.0f));
    tape_backward(tp, loss);
    step_optimizer(&w->opt_g, &w->ps_g);

    w->loss[0] = w->loss[1] = loss->data[0];
}

// One stylisation at 256x256, no gradients: encoder twice, AdaIN, decoder.
static void w4s_step(Bench *w) {
    Tape *tp = &w->tape;
    tape_reset(tp);
    int was = tape_set_no_grad(tp, 1);
    Tensor *c4 = encode_no_grad(w, w->a, 1, W4S_HW, NULL);
    Tensor *s4 = encode_no_grad(w, w->b, 1, W4S_HW, NULL);
    Tensor *img = adain_decoder_forward(&w->m.w4.dec, tp, adain(tp, c4, s4, 1e-5f));
    tape_set_no_grad(tp, was);
    // a finite output stands for the "losses" of the training workloads
    w->loss[0] = img->data[0];
    w->loss[1] = img->data[img->size - 1];
}

// ---------------------------------------------------------------- workloads

typedef struct {
    const char *name;
    void (*init)(Bench *w);
    void (*step)(Bench *w);
} Workload;

static const Workload WORKLOADS[] = {
    {"W1", w1_init, w1_step},
    {"W2", w2_init, w2_step},
    {"W3", w3_init, w3_step},
    {"W4", w4_init, w4_step},
    {"W4S", w4s_init, w4s_step},
};

static void bench_init(Bench *w, const Workload *wl, int seed) {
    memset(w, 0, sizeof *w);
    rng_seed(&w->rng, (uint64_t)seed);
    tape_init(&w->tape);
    paramset_init(&w->ps_g);
    paramset_init(&w->ps_d);
    wl->init(w);
}

static void bench_free(Bench *w) {
    if (w->has_opt_g) optim_free(&w->opt_g);
    if (w->has_opt_d) optim_free(&w->opt_d);
    paramset_free(&w->ps_g);
    paramset_free(&w->ps_d);
    tape_free(&w->tape);
    free(w->a);
    free(w->b);
}

// ---------------------------------------------------------------- comparing with PyTorch

// `key` (ms_per_step=, cpu_ms_per_step=) of "<workload> time impl=torch
// threads=<threads>" in path; 0 if absent.
static double torch_ms(const char *path, const char *workload, int threads, const char *key) {
    FILE *f = fopen(path, "r");
    if (!f) {
        fprintf(stderr, "bench: cannot open %s (the output of torch_workloads.py); no ratio\n", path);
        return 0;
    }
    char line[512], prefix[64];
    snprintf(prefix, sizeof prefix, "%s time impl=torch threads=%d ", workload, threads);
    double ms = 0;
    while (fgets(line, sizeof line, f)) {
        const char *p = strstr(line, key);
        // " key": cpu_ms_per_step= also ends in ms_per_step=
        while (p && p > line && p[-1] != ' ') p = strstr(p + 1, key);
        if (strncmp(line, prefix, strlen(prefix)) == 0 && p) ms = atof(p + strlen(key));
    }
    fclose(f);
    return ms;
}

// ---------------------------------------------------------------- the profile

// The kinds of work a step does, for the summary line: each op's group.
static const char *op_group(Op op) {
    switch (op) {
    case OP_CONV2D: return "conv";
    case OP_CONV_TRANSPOSE2D: return "conv_transpose";
    case OP_LINEAR: return "linear";
    case OP_BATCHNORM: case OP_INSTANCENORM: return "norm";
    case OP_RELU: case OP_LEAKY_RELU: case OP_TANH: case OP_SIGMOID: case OP_DROPOUT:
        return "activation";
    case OP_BCE_WITH_LOGITS: case OP_MSE: case OP_L1: return "loss";
    default: return "other_ops";
    }
}

static const char *const GROUPS[] = {"conv", "conv_transpose", "linear", "norm", "activation",
                                     "loss", "other_ops"};
enum { N_GROUPS = sizeof GROUPS / sizeof GROUPS[0] };

// Per step: every op's forward and backward ms and calls, then the shares
// of the groups, gradient buffers, the optimiser and what no op accounts
// for (copying the batches, drawing noise, the tape's bookkeeping).
static void print_profile(const char *workload, int threads, const TapeProfile *p, int steps,
                          double step_ms) {
    double group_ms[N_GROUPS] = {0}, ops_ms = 0;
    printf("%s profile threads=%d steps=%d step_ms=%.2f (mean of the timed steps)\n", workload,
           threads, steps, step_ms);
    for (int op = 0; op < OP_COUNT; op++) {
        double ms = (p->fwd_ms[op] + p->bwd_ms[op]) / steps;
        if (p->fwd_calls[op] + p->bwd_calls[op] == 0) continue;
        printf("%s profile op=%s fwd_ms=%.2f bwd_ms=%.2f fwd_calls=%.1f bwd_calls=%.1f "
               "share=%.1f%%\n", workload, tape_op_name((Op)op), p->fwd_ms[op] / steps,
               p->bwd_ms[op] / steps, (double)p->fwd_calls[op] / steps,
               (double)p->bwd_calls[op] / steps, 100 * ms / step_ms);
        for (int g = 0; g < N_GROUPS; g++)
            if (strcmp(GROUPS[g], op_group((Op)op)) == 0) group_ms[g] += ms;
        ops_ms += ms;
    }
    double grad = p->grad_ms / steps, opt = optim_ms / steps;
    printf("%s profile summary", workload);
    for (int g = 0; g < N_GROUPS; g++) printf(" %s=%.1f%%", GROUPS[g], 100 * group_ms[g] / step_ms);
    printf(" grad_buffers=%.1f%% optimizer=%.1f%% untracked=%.1f%%\n", 100 * grad / step_ms,
           100 * opt / step_ms, 100 * (step_ms - ops_ms - grad - opt) / step_ms);
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
    int warmup = 2, profile = 0, machine = 0;
    args_add_choice(&args, "workload", &workload, "W1|W2|W3|W4|W4S",
                    "the workload (bench/README.md)");
    args_add_int(&args, "warmup", &warmup, "untimed steps before the timed ones");
    args_add_string(&args, "torch", &torch_file,
                    "output of torch_workloads.py: print the speed ratio to PyTorch");
    args_add_bool(&args, "profile", &profile,
                  "also print where a timed step's time goes, per op (forward, backward)");
    args_add_bool(&args, "machine", &machine,
                  "print the CPU, BLIS's GEMM kernels and the FMA peak, and stop");
    Error err;
    int r = args_parse(&args, argc, argv, &err);
    if (r == ARGS_HELP) { args_usage(&args, stdout); return 0; }
    if (r != 0) { fprintf(stderr, "%s\n\n", err.msg); args_usage(&args, stderr); return 2; }
    if (args.steps < 1 || warmup < 0 || args.threads < 0) {
        fprintf(stderr, "bench: need --steps >= 1, --warmup >= 0, --threads >= 0\n");
        return 2;
    }
    const Workload *wl = NULL;
    for (size_t i = 0; i < sizeof WORKLOADS / sizeof WORKLOADS[0]; i++)
        if (strcmp(WORKLOADS[i].name, workload) == 0) wl = &WORKLOADS[i];
    compute_set_threads(args.threads);
    int threads = compute_threads();
    FmaPeak peak;
    fma_peak_measure(&peak);
    print_machine(wl->name, &peak);
    if (machine) return 0;

    double base = rss_mb();
    static Bench w;   // large (every model's layer structs): not on the stack
    bench_init(&w, wl, args.seed);
    double flops = report(&w, wl->name);
    fflush(stdout);

    for (int i = 0; i < warmup; i++) wl->step(&w);
    double *ms = xmalloc(sizeof(double) * args.steps), total_ms = 0;
    double *cms = xmalloc(sizeof(double) * args.steps);
    static TapeProfile prof;   // zeroed
    if (profile) {
        profiling = &prof;
        tape_profile(profiling);
    }
    for (int i = 0; i < args.steps; i++) {
        double t0 = now_ms(), c0 = cpu_ms();
        wl->step(&w);
        ms[i] = now_ms() - t0;
        cms[i] = cpu_ms() - c0;
        total_ms += ms[i];
    }
    tape_profile(NULL);
    if (!isfinite(w.loss[0]) || !isfinite(w.loss[1])) {
        fprintf(stderr, "bench: %s's step output is not finite (%g, %g)\n", wl->name, w.loss[0],
                w.loss[1]);
        return 1;
    }
    double med = median(ms, args.steps), cpu_med = median(cms, args.steps);
    double gflops = flops / 1e9 / (med / 1e3);
    // peak_share: of the FMA peak at this many threads (the better of AVX-512 and AVX2).
    // cpu_ms_per_step: the process's CPU time, all threads (with two, their spinning too).
    printf("%s time impl=c threads=%d batch=%d steps=%d ms_per_step=%.2f ms_min=%.2f "
           "images_per_s=%.2f gflop_per_step=%.4f gflop_per_s=%.2f peak_share=%.3f "
           "cpu_ms_per_step=%.2f max_rss_mb=%.1f base_rss_mb=%.1f\n",
           wl->name, threads, w.batch, args.steps, med, ms[0], w.batch / (med / 1e3), flops / 1e9,
           gflops, gflops / fma_peak_best(&peak, threads), cpu_med, peak_rss_mb(), base);
    // Where the tape's share of max_rss_mb is: the arena's block (the step's
    // peak), the gradient pool and the convolutions' scratch.
    double pool = 0;
    for (int i = 0; i < w.tape.n_pool; i++) pool += sizeof(float) * (double)w.tape.pool[i].cap;
    printf("%s memory impl=c threads=%d tape_arena_mb=%.1f grad_pool_mb=%.1f conv_scratch_mb=%.1f\n",
           wl->name, threads, w.tape.cap / 1048576.0, pool / 1048576.0,
           sizeof(float) * (double)w.tape.scratch_size / 1048576.0);
    if (profile) print_profile(wl->name, threads, &prof, args.steps, total_ms / args.steps);
    if (torch_file[0]) {
        double t = torch_ms(torch_file, wl->name, threads, "ms_per_step=");
        double tc = torch_ms(torch_file, wl->name, threads, "cpu_ms_per_step=");
        if (t > 0 && tc > 0)   // cpu_speedup: the same over CPU time (meaningful at one thread)
            printf("%s ratio threads=%d torch_ms=%.2f c_ms=%.2f speedup=%.2f torch_cpu_ms=%.2f "
                   "c_cpu_ms=%.2f cpu_speedup=%.2f\n", wl->name, threads, t, med, t / med, tc,
                   cpu_med, tc / cpu_med);
        else if (t > 0)
            printf("%s ratio threads=%d torch_ms=%.2f c_ms=%.2f speedup=%.2f\n", wl->name, threads,
                   t, med, t / med);
        else
            printf("# %s: no PyTorch time for %d threads in %s\n", wl->name, threads, torch_file);
    }
    free(ms);
    free(cms);
    bench_free(&w);
    return 0;
}
