// pix2pix_exercises.c - exercises 5.1 to 5.6: the two networks of Pix2Pix,
// what a PatchGAN logit sees, the two losses, and the training step on pairs.
//
// Read pix2pix.h first, then common/models/unet.h and common/models/patchgan.h (the layers
// your forward passes use). B = batch, C = channels, H, W = height, width.
// Tools (common/autograd/tape.h, common/nn/layers.h):
//   nn_conv2d_forward(tp, &layer, x)            nn_conv_transpose2d_forward(tp, &layer, x)
//   nn_batchnorm2d_forward(tp, &bn, x, train)   tape_dropout(tp, x, p, rng)
//   tape_relu(tp, x), tape_leaky_relu(tp, x, 0.2f), tape_tanh(tp, x)
//   tape_concat_channels(tp, a, b)              (B, CA, H, W), (B, CB, H, W) -> (B, CA+CB, H, W)
//   tape_bce_with_logits(tp, logits, target), tape_full_like(tp, t, value)
//   tape_l1(tp, a, b), tape_add(tp, a, b), tape_scale(tp, x, s)
//   tensor_detach(tp, t), tape_tensor(tp, 4, shape, 0)
//   tape_backward(tp, loss), tape_reset(tp)
//   paramset_zero_grad(&ps), paramset_set_requires_grad(&ps, on), optim_step(&opt, &ps)
//
//     make check LESSON=05       which exercises pass (tests/05_pix2pix/)
//     make run LESSON=05         train with YOUR functions
#include <string.h>   // memcpy, for 5.6

#include "util/exercise.h"
#include "pix2pix.h"

// Exercise 5.1 (20 points): the U-Net forward pass.
//
// m holds the layers (unet_init made them; read common/models/unet.h): for each
// level i = 0 .. D-1 (D = m->cfg.depth, 0 the outermost),
//   encoder:  h = [LeakyReLU(0.2) unless i = 0] -> m->down[i] -> [m->down_bn[i]
//             unless i = 0 or i = D-1];  KEEP h as skip[i]
//   decoder, i = D-1 down to 0:
//             in = concat(skip[i], h)  for i < D-1  (the skip first, then what
//                  came up; the innermost level has no skip: in = h)
//             h  = ReLU(in) -> m->up[i]
//             then, for i > 0: m->up_bn[i], and dropout (p = m->cfg.dropout)
//             when training, dropout > 0 and i >= D - m->cfg.n_dropout;
//             for i = 0: tanh, and that is the output.
// With m->cfg.no_skips the decoder concatenates nothing (in = h at every
// level): the encoder-decoder of the ablation, whose up[i] layers expect half
// the channels.
// train: batch statistics and dropout (masks drawn from rng); otherwise
// running statistics, no dropout (rng may be NULL).
// x (B, in_ch, H, W), H and W multiples of 2^D -> (B, out_ch, H, W) in [-1, 1].
// Tested against PyTorch (training and evaluation mode, U-Net and
// encoder-decoder): the output, and the gradients of every parameter and of
// x through it.
Tensor *l05_unet_forward(UNet *m, Tape *tp, Tensor *x, int train, Rng *rng) {
    /* BEGIN EXERCISE 5.1 */
    const UNetConfig *c = &m->cfg;
    int D = c->depth;
    Tensor *skip[UNET_MAX_DEPTH];
    Tensor *h = x;
    for (int i = 0; i < D; i++) {
        if (i > 0) h = tape_leaky_relu(tp, h, 0.2f);
        h = nn_conv2d_forward(tp, &m->down[i], h);
        if (i > 0 && i < D - 1) h = nn_batchnorm2d_forward(tp, &m->down_bn[i], h, train);
        skip[i] = h;
    }
    for (int i = D - 1; i >= 0; i--) {
        if (i < D - 1 && !c->no_skips) h = tape_concat_channels(tp, skip[i], h);
        h = nn_conv_transpose2d_forward(tp, &m->up[i], tape_relu(tp, h));
        if (i == 0) break;
        h = nn_batchnorm2d_forward(tp, &m->up_bn[i], h, train);
        if (train && c->dropout > 0.0f && i >= D - c->n_dropout)
            h = tape_dropout(tp, h, c->dropout, rng);
    }
    return tape_tanh(tp, h);
    /* END EXERCISE 5.1 */
}

// Exercise 5.2 (15 points): the PatchGAN forward pass.
//
// m holds L + 2 convolutions (L = m->cfg.n_layers; read common/models/patchgan.h):
//   conv[0] -> LeakyReLU(0.2)
//   conv[i] -> norm i -> LeakyReLU(0.2)          for i = 1 .. L
//   conv[L+1]                                    (no activation: logits)
// The norm of conv i is m->bn[i] (batch norm, cfg.norm == PATCHGAN_BATCHNORM,
// pix2pix) or m->in[i] (instance norm, CycleGAN's, nn_instancenorm2d_forward).
// x (B, in_ch, H, W) -> (B, 1, H/2^L - 2, W/2^L - 2): for W2's 64x64 pairs,
// a 6x6 map of logits, each judging one patch of the pair.
// Tested against PyTorch (batch norm on 6 channels, instance norm on 3): the
// logits' shape and values, and the gradients of every parameter and of x.
Tensor *l05_patchgan_forward(PatchGan *m, Tape *tp, Tensor *x, int train) {
    /* BEGIN EXERCISE 5.2 */
    const PatchGanConfig *c = &m->cfg;
    int L = c->n_layers;
    Tensor *h = x;
    for (int i = 0; i <= L; i++) {
        h = nn_conv2d_forward(tp, &m->conv[i], h);
        if (i > 0)
            h = c->norm == PATCHGAN_BATCHNORM ? nn_batchnorm2d_forward(tp, &m->bn[i], h, train)
                                              : nn_instancenorm2d_forward(tp, &m->in[i], h);
        h = tape_leaky_relu(tp, h, 0.2f);
    }
    return nn_conv2d_forward(tp, &m->conv[L + 1], h);
    /* END EXERCISE 5.2 */
}

// Exercise 5.3 (10 points): what one output of a stack of convolutions sees.
//
// convs[0 .. n-1] in the order the input meets them. Walk them from the
// input side, keeping three numbers for the outputs of the layers so far
// (before any layer: size 1, jump 1, start 0, a pixel sees itself):
//     size  += (kernel - 1) * jump      a kernel spans kernel outputs of the layer below
//     start -= pad * jump               padding shifts output 0's window left
//     jump  *= stride                   neighbouring outputs move stride inputs apart
// (update size and start with the jump BEFORE multiplying it by this stride).
// n = 0 gives {1, 1, 0}. Tested: the classic 70x70 PatchGAN (3 layers), the
// 16x16 (1 layer), the 286x286 (5 layers), the 1x1 PixelGAN, and a
// stack with kernels 3 and stride 1.
L05Field l05_receptive_field(const L05Conv *convs, int n) {
    /* BEGIN EXERCISE 5.3 */
    L05Field f = {1, 1, 0};
    for (int i = 0; i < n; i++) {
        f.size += (convs[i].kernel - 1) * f.jump;
        f.start -= convs[i].pad * f.jump;
        f.jump *= convs[i].stride;
    }
    return f;
    /* END EXERCISE 5.3 */
}

// Exercise 5.4 (15 points): the generator's loss.
//
//     gan = BCE(fake_logits, 1)        mean over every patch logit: "D, call these real"
//     l1  = mean |fake - target|       mean over every pixel and channel
//     total = gan + lambda * l1        L05_LOSS_L1_CGAN (pix2pix)
//           = lambda * l1              L05_LOSS_L1      (fake_logits is NULL: no D)
//           = gan                      L05_LOSS_CGAN
// fake_logits (B, 1, PH, PW) = D(concat(x, G(x))); fake, target (B, C, H, W).
// Returns the scalar total on the tape (backward from it reaches G through
// fake, and D's logits); writes *gan_term (0 for L05_LOSS_L1) and *l1_term
// (the unweighted mean |fake - target|, whatever the loss).
// Tested against PyTorch's binary_cross_entropy_with_logits and l1_loss: the
// three numbers and the gradients with respect to fake and the logits, for
// each of the three losses.
Tensor *l05_g_loss(Tape *tp, Tensor *fake_logits, Tensor *fake, Tensor *target, L05Loss loss,
                   float lambda, float *gan_term, float *l1_term) {
    /* BEGIN EXERCISE 5.4 */
    Tensor *l1 = tape_l1(tp, fake, target);
    *l1_term = l1->data[0];
    *gan_term = 0.0f;
    if (loss == L05_LOSS_L1) return tape_scale(tp, l1, lambda);
    Tensor *gan = tape_bce_with_logits(tp, fake_logits, tape_full_like(tp, fake_logits, 1.0f));
    *gan_term = gan->data[0];
    if (loss == L05_LOSS_CGAN) return gan;
    return tape_add(tp, gan, tape_scale(tp, l1, lambda));
    /* END EXERCISE 5.4 */
}

// Exercise 5.5 (10 points): the discriminator's loss, halved.
//
//     L_D = 1/2 [ BCE(real_logits, 1) + BCE(fake_logits, 0) ]
// real_logits = D(concat(x, y)) and fake_logits = D(concat(x, G(x))), both
// (B, 1, PH, PW); each BCE is a mean over every patch logit. The 1/2 is the
// paper's: it slows D down relative to G (D's gradients are halved).
// Returns the scalar on the tape. Tested against PyTorch: the value and the
// gradients with respect to both logit maps, and which way they push.
Tensor *l05_d_loss(Tape *tp, Tensor *real_logits, Tensor *fake_logits) {
    /* BEGIN EXERCISE 5.5 */
    Tensor *real = tape_bce_with_logits(tp, real_logits, tape_full_like(tp, real_logits, 1.0f));
    Tensor *fake = tape_bce_with_logits(tp, fake_logits, tape_full_like(tp, fake_logits, 0.0f));
    return tape_scale(tp, tape_add(tp, real, fake), 0.5f);
    /* END EXERCISE 5.5 */
}

// Exercise 5.6 (30 points): one training step on a batch of pairs.
//
// x (B, CX, H, W): the inputs (sketches); y (B, CY, H, W): their targets.
// 1. tape_reset(&p->tape); x and y become tensors on it (no gradient: data).
// 2. fake = G(x): l05_unet_forward in training mode (dropout masks from
//    &p->rng), ONCE: both updates use this fake.
// 3. The D update (skipped entirely for L05_LOSS_L1, which has no D):
//    zero D's gradients;
//    real_logits = D(concat(x, y)), fake_logits = D(concat(x, detach(fake)))
//    (D judges PAIRS, the input always first: it must learn whether this
//    colouring fits THIS sketch; detach: this step must not reach G);
//    L_D (exercise 5.5), backward, optim_step(&p->opt_d, &p->ps_d).
// 4. The G update: zero G's gradients; freeze D for the step
//    (paramset_set_requires_grad(&p->ps_d, 0), unfreeze at the end) so no
//    gradient is computed for D's weights; logits = D(concat(x, fake)) with the
//    UPDATED D (none for L05_LOSS_L1), L_G (exercise 5.4 with p->cfg.loss and
//    p->cfg.lambda), backward, optim_step(&p->opt_g, &p->ps_g).
// Every D forward runs in training mode (batch statistics).
// Fills *st: loss_d, loss_g, g_gan, g_l1, and d_real, d_fake (the mean
// sigmoid of the D step's logits, l05_mean_sigmoid); the D fields are 0 for
// L05_LOSS_L1.
// Tested against PyTorch (one step of a small U-Net and PatchGAN from the same
// weights and batch): the losses, the D means, both networks' gradients and
// weights after the update, for each loss; and that --loss l1 leaves D untouched.
void l05_train_step(L05Pix2pix *p, L05Stats *st, const float *x, const float *y, int B, int h,
                    int w) {
    /* BEGIN EXERCISE 5.6 */
    Tape *tp = &p->tape;
    int cx = p->cfg.g.in_ch, cy = p->cfg.g.out_ch;
    tape_reset(tp);
    Tensor *X = tape_tensor(tp, 4, (int[]){B, cx, h, w}, 0);
    Tensor *Y = tape_tensor(tp, 4, (int[]){B, cy, h, w}, 0);
    memcpy(X->data, x, sizeof(float) * X->size);
    memcpy(Y->data, y, sizeof(float) * Y->size);
    memset(st, 0, sizeof *st);

    Tensor *fake = l05_unet_forward(&p->g, tp, X, 1, &p->rng);
    int has_d = p->cfg.loss != L05_LOSS_L1;
    if (has_d) {
        paramset_zero_grad(&p->ps_d);
        Tensor *real_logits = l05_patchgan_forward(&p->d, tp, tape_concat_channels(tp, X, Y), 1);
        Tensor *fake_logits = l05_patchgan_forward(
            &p->d, tp, tape_concat_channels(tp, X, tensor_detach(tp, fake)), 1);
        Tensor *loss_d = l05_d_loss(tp, real_logits, fake_logits);
        tape_backward(tp, loss_d);
        optim_step(&p->opt_d, &p->ps_d);
        st->loss_d = loss_d->data[0];
        st->d_real = l05_mean_sigmoid(real_logits);
        st->d_fake = l05_mean_sigmoid(fake_logits);
    }

    paramset_zero_grad(&p->ps_g);
    Tensor *logits = NULL;
    if (has_d) {
        paramset_set_requires_grad(&p->ps_d, 0);
        logits = l05_patchgan_forward(&p->d, tp, tape_concat_channels(tp, X, fake), 1);
    }
    Tensor *loss_g = l05_g_loss(tp, logits, fake, Y, p->cfg.loss, p->cfg.lambda, &st->g_gan,
                                &st->g_l1);
    tape_backward(tp, loss_g);
    if (has_d) paramset_set_requires_grad(&p->ps_d, 1);
    optim_step(&p->opt_g, &p->ps_g);
    st->loss_g = loss_g->data[0];
    /* END EXERCISE 5.6 */
}
