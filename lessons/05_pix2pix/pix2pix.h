// pix2pix.h - lesson 05: Pix2Pix, "I sketch, you colour".
//
// A generator G turns an input image x (a sketch) into an output G(x) (a
// colouring); a discriminator D judges PAIRS: concat(x, y) with the real
// target y, or concat(x, G(x)) with G's attempt, and answers with a map of
// logits, one per patch of the image (a PatchGAN). G is trained on
//     L_G = BCE(D(x, G(x)), 1) + lambda * mean |y - G(x)|        (lambda = 100)
// and D on
//     L_D = 1/2 [ BCE(D(x, y), 1) + BCE(D(x, G(x)), 0) ]
// The networks are the library's (common/models/unet.h, common/models/patchgan.h, sizes of
// bench/WORKLOADS.md W2); their forward passes, the receptive field of the
// PatchGAN, both losses and the training step are your exercises
// (pix2pix_exercises.c). The lesson program (main.c) trains with them.
//
// B = batch, C = channels (3), H, W = height and width (64), CX/CY = channels
// of the input and of the target.
#ifndef PIX2PIX_H
#define PIX2PIX_H

#include "util/error.h"
#include "nn/optim.h"
#include "models/patchgan.h"
#include "models/unet.h"

// Which terms G's loss has: the ablation of the paper's section 4.2.
typedef enum {
    L05_LOSS_L1,        // lambda * L1 only: no discriminator at all
    L05_LOSS_CGAN,      // the conditional GAN term only
    L05_LOSS_L1_CGAN,   // both: pix2pix
} L05Loss;

// "l1", "cgan", "l1+cgan" (the --loss flag); -1 when text is none of them.
int l05_parse_loss(const char *text);
const char *l05_loss_name(L05Loss loss);

typedef struct {
    UNetConfig g;        // unet_config_w2(); g.no_skips = 1 for the encoder-decoder
    PatchGanConfig d;    // patchgan_config_w2(): 6 channels in (input and output)
    L05Loss loss;
    float lambda;        // weight of the L1 term: 100
    float lr, beta1, beta2;   // Adam, the same for G and D: 2e-4, 0.5, 0.999
} L05Config;

// W2 at 64x64: U-Net ngf 32 depth 6, PatchGAN ndf 32 with 3 layers, L1 + cGAN,
// lambda 100, Adam 2e-4 (0.5, 0.999).
L05Config l05_default_config(void);

typedef struct {
    L05Config cfg;
    UNet g;
    PatchGan d;
    ParamSet ps_g, ps_d;      // one block of parameters (and gradients) per network
    Optimizer opt_g, opt_d;
    Tape tape;                // one step's tensors; reset at the start of each step
    Rng rng;                  // G's dropout masks
    int test_batch_stats;     // l05_generate: 1 = the paper's test mode (below)
} L05Pix2pix;

// Builds both networks with the library's initialisation (N(0, 0.02)) and
// their Adam optimisers. The model keeps its own stream, starting from a copy
// of *rng: the weights are drawn from it, then G's dropout masks. Returns -1
// with a message (and nothing allocated) when D's input channels are not
// G's input plus output channels.
int l05_pix2pix_init(L05Pix2pix *p, const L05Config *cfg, const Rng *rng, Error *err);
void l05_pix2pix_free(L05Pix2pix *p);

// The numbers one training step reports (before its updates).
typedef struct {
    float loss_d;     // L_D (0 with --loss l1: there is no D step)
    float loss_g;     // L_G, the total G minimised
    float g_gan;      // BCE(D(x, G(x)), 1): G's adversarial term (0 with --loss l1)
    float g_l1;       // mean |y - G(x)|, unweighted (reported whatever the loss)
    float d_real;     // mean sigmoid(D(x, y)) over every patch: D's belief in real pairs
    float d_fake;     // mean sigmoid(D(x, G(x))) in the D step
} L05Stats;

// The mean of sigmoid(logits) over every element: D's average "real" verdict.
float l05_mean_sigmoid(const Tensor *logits);

// out (n, CY, H, W) = G(x) for x (n, CX, H, W), any n, under no_grad, with
// the student's forward (exercise 5.1), in batches of 8. Resets p->tape.
// Evaluation mode (running batch-norm statistics, no dropout) unless
// p->test_batch_stats is set: then each batch is normalised with its own
// statistics and dropout stays on, as the pix2pix paper tests. That mode
// moves the running statistics: use it on a model that is not trained further.
void l05_generate(L05Pix2pix *p, float *out, const float *x, int n, int h, int w);

// The checkpoint's metadata: the architecture and loss, so that inference
// rebuilds exactly the network that was trained. l05_config_from_meta returns
// -1 with a message when meta is not a lesson 05 checkpoint's.
void l05_config_to_meta(char *meta, int n, const L05Config *cfg);
int l05_config_from_meta(L05Config *cfg, const char *meta, Error *err);

// ---------------------------------------------------------------- the receptive field

// One convolution as the receptive-field calculation sees it.
typedef struct {
    int kernel, stride, pad;
} L05Conv;

// What one output element of a stack of convolutions sees of the input:
// a window of size x size pixels; the windows of neighbouring outputs are
// jump pixels apart; output 0's window starts at input pixel `start`
// (negative: part of it lies in the zero padding).
typedef struct {
    int size, jump, start;
} L05Field;

// The convolutions of a PatchGAN, in order (n_layers + 2 of them); returns their count.
int l05_patchgan_convs(L05Conv *convs, const PatchGanConfig *cfg);

// ---------------------------------------------------------------- your exercises

// 5.1 the U-Net (or, with cfg.no_skips, the encoder-decoder) forward pass
Tensor *l05_unet_forward(UNet *m, Tape *tp, Tensor *x, int train, Rng *rng);
// 5.2 the PatchGAN forward pass
Tensor *l05_patchgan_forward(PatchGan *m, Tape *tp, Tensor *x, int train);
// 5.3 the receptive field of a stack of convolutions
L05Field l05_receptive_field(const L05Conv *convs, int n);
// 5.4 G's loss: returns the total; writes its two terms
Tensor *l05_g_loss(Tape *tp, Tensor *fake_logits, Tensor *fake, Tensor *target, L05Loss loss,
                   float lambda, float *gan_term, float *l1_term);
// 5.5 D's loss
Tensor *l05_d_loss(Tape *tp, Tensor *real_logits, Tensor *fake_logits);
// 5.6 one training step on a batch of pairs: a D update, then a G update
void l05_train_step(L05Pix2pix *p, L05Stats *st, const float *x, const float *y, int B, int h,
                    int w);

#endif
