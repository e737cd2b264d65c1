// cyclegan.h - lesson 06: CycleGAN, translation without pairs.
//
// Two domains, A (= X: by default emoji sketches) and B (= Y: colour emoji),
// and NO pairs: the training sees A images and B images of different emoji.
// Four networks:
//     G: A -> B   and   F: B -> A            two ResNet generators (common/models/resnet_gen.h)
//     D_Y judges domain B (real b, or G(a))   two PatchGANs with instance norm
//     D_X judges domain A (real a, or F(b))   (common/models/patchgan.h)
// Naming trap: the reference code (junyanz) calls G "G_A", F "G_B", and its
// "D_A" judges domain B, i.e. D_Y. This course keeps the paper's names.
// G and F are trained together on
//     L = MSE(D_Y(G(a)), 1) + MSE(D_X(F(b)), 1)                         (LSGAN)
//       + lambda * (mean |F(G(a)) - a| + mean |G(F(b)) - b|)          (cycle, lambda 10)
//       + 0.5 * lambda * (mean |G(b) - b| + mean |F(a) - a|)           (identity)
// and each discriminator on its own halved LSGAN loss, with G's and F's past
// outputs drawn from an image pool of 50:
//     L_DY = 1/2 [MSE(D_Y(b), 1) + MSE(D_Y(pool_B(G(a))), 0)], and L_DX likewise.
// The exercises are in cyclegan_exercises.c; main.c trains with them.
//
// B = batch, C = channels (3), H, W = height and width (64).
#ifndef CYCLEGAN_H
#define CYCLEGAN_H

#include "util/error.h"
#include "nn/optim.h"
#include "models/patchgan.h"
#include "models/resnet_gen.h"

typedef struct {
    ResnetGenConfig g;   // G and F: the same architecture
    PatchGanConfig d;    // D_X and D_Y: the same architecture, 3 channels, instance norm
    float lambda;        // weight of the cycle loss: 10
    float identity;      // weight of the identity loss as a fraction of lambda: 0.5 (0: none)
    int cycle;           // 1: the cycle loss; 0: the ablation without it
    float lr, beta1, beta2;   // Adam for all four networks: 2e-4, 0.5, 0.999
    int pool_size;       // images each pool keeps: 50 (0: no pool, D sees the newest fakes)
} L06Config;

// The paper's settings at 64x64 (W3 networks: ngf 32, 6 blocks; PatchGAN ndf
// 32, 3 layers), lambda 10, identity 0.5, pool 50, Adam 2e-4 (0.5, 0.999).
L06Config l06_default_config(void);

// The image pool: the last `cap` images a generator made, so that D learns
// from a history of G's outputs, not only the newest (it keeps D from
// chasing G around in circles).
typedef struct {
    int cap;         // images it can hold (pool_size)
    int count;       // images it holds: fills up to cap, then stays
    int c, h, w;
    float *images;   // (cap, C, H, W)
} L06Pool;

void l06_pool_init(L06Pool *p, int cap, int c, int h, int w);
void l06_pool_free(L06Pool *p);

typedef struct {
    L06Config cfg;
    ResnetGen g, f;              // G: A -> B, F: B -> A
    PatchGan d_x, d_y;           // D_X judges A, D_Y judges B
    ParamSet ps_g, ps_f, ps_dx, ps_dy;
    Optimizer opt_g, opt_f, opt_dx, opt_dy;
    L06Pool pool_a, pool_b;      // past F(b) (for D_X) and past G(a) (for D_Y)
    Tape tape;                   // one step's tensors; reset at the start of each step
    Rng rng;                     // the pools' draws (and the program's crops and flips)
} L06Cyclegan;

// Builds the four networks (N(0, 0.02) initialisation), their Adam
// optimisers and the pools for h x w images. The model keeps its own stream,
// starting from a copy of *rng: the weights, then every draw of the pools.
// Returns -1 with a message (and nothing allocated) when the networks'
// channels do not fit together.
int l06_cyclegan_init(L06Cyclegan *c, const L06Config *cfg, int h, int w, const Rng *rng,
                      Error *err);
void l06_cyclegan_free(L06Cyclegan *c);

// What one training step reports (before its updates).
typedef struct {
    float loss_g;           // the total G and F minimised
    float adv_g, adv_f;     // MSE(D_Y(G(a)), 1), MSE(D_X(F(b)), 1)
    float cycle_a, cycle_b; // mean |F(G(a)) - a|, mean |G(F(b)) - b| (unweighted)
    float idt_a, idt_b;     // mean |F(a) - a|, mean |G(b) - b| (unweighted; 0 without identity)
    float loss_dx, loss_dy; // the halved discriminator losses
    float dx_real, dx_fake; // mean D_X output on real a and on pooled F(b) (LSGAN: 1 and 0 wanted)
    float dy_real, dy_fake; // mean D_Y output on real b and on pooled G(a)
} L06Stats;

// The mean of every element (a D output map's average verdict).
float l06_mean(const Tensor *t);

// One training step on a batch: a (B, 3, H, W) from A, b (B, 3, H, W) from
// B (unrelated images). Resets the tape, runs the G step (6.5), then the D
// step (6.6) on the fakes the G step made.
void l06_train_step(L06Cyclegan *c, L06Stats *st, const float *a, const float *b, int B, int h,
                    int w);

// out (n, 3, H, W) = G(x) (to_b 1) or F(x) (to_b 0) for x (n, 3, H, W), any n,
// under no_grad, with your residual block (6.3), in batches of 8. Resets the tape.
void l06_translate(L06Cyclegan *c, float *out, const float *x, int n, int h, int w, int to_b);

// G or F on the tape, with the student's residual block (exercise 6.3).
Tensor *l06_generator(ResnetGen *m, Tape *tp, Tensor *x);

// The checkpoint's metadata: the architecture and losses, so that inference
// rebuilds exactly the networks that were trained; l06_config_from_meta
// returns -1 with a message when meta is not a lesson 06 checkpoint's.
void l06_config_to_meta(char *meta, int n, const L06Config *cfg);
int l06_config_from_meta(L06Config *cfg, const char *meta, Error *err);

// ---------------------------------------------------------------- your exercises

// 6.1 the cycle-consistency loss by hand: its value ...
float l06_cycle_loss_forward(const float *rec_a, const float *a, const float *rec_b,
                             const float *b, long n, float lambda);
// ... and its gradient with respect to rec_a and rec_b
void l06_cycle_loss_backward(float *d_rec_a, float *d_rec_b, const float *rec_a, const float *a,
                             const float *rec_b, const float *b, long n, float lambda,
                             float dout);
// 6.2 the identity loss on the tape
Tensor *l06_identity_loss(Tape *tp, Tensor *a, Tensor *f_a, Tensor *b, Tensor *g_b, float weight,
                          float *idt_a, float *idt_b);
// 6.3 the residual block
Tensor *l06_resblock_forward(const ResBlock *r, Tape *tp, Tensor *x);
// 6.4 the image pool's query
void l06_pool_query(L06Pool *p, float *out, const float *fake, int n, Rng *rng);
// 6.5 the generators' step; *fake_a = F(b), *fake_b = G(a) for the D step
void l06_g_step(L06Cyclegan *c, L06Stats *st, Tensor *a, Tensor *b, Tensor **fake_a,
                Tensor **fake_b);
// 6.6 the discriminators' step on pooled, detached fakes
void l06_d_step(L06Cyclegan *c, L06Stats *st, Tensor *a, Tensor *b, Tensor *fake_a, Tensor *fake_b);

#endif
