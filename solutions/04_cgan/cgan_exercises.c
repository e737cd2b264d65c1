// cgan_exercises.c - exercises 4.1 to 4.4: where the label enters a
// conditional GAN, and the two training steps that feed it.
//
// B = batch, Z = noise size, K = classes, X = H * W. Read cgan.h first.
// Tools (common/autograd/tape.h, common/nn/layers.h):
//   l04_one_hot(tp, labels, B, K)          (B, K), no gradient
//   tape_concat_channels(tp, a, b)         (B, CA) and (B, CB) -> (B, CA + CB)
//   nn_linear_forward(tp, &layer, x)       (B, IN) -> (B, OUT)
//   tape_leaky_relu(tp, x, L04_SLOPE), tape_tanh(tp, x), tape_add(tp, a, b)
//   l04_pick(tp, scores, labels)           (B, K) -> (B, 1): column labels[i] of row i
//   tensor_flatten(tp, x)                  (B, ...) -> (B, size / B)
//   tensor_reshape(tp, x, 4, (int[]){B, 1, H, W})
//   tape_bce_with_logits(tp, logits, target), tape_full_like(tp, t, value)
//   tape_backward(tp, loss), tape_reset(tp), tape_set_no_grad(tp, on)
//   paramset_zero_grad(&ps), paramset_set_requires_grad(&ps, on)
//   optim_step(&opt, &ps)
//   l04_mean_sigmoid(logits)               the batch's mean D(x), for the log
#include <string.h>

#include "cgan.h"
#include "util/exercise.h"

// Exercise 4.1 (20 points): the conditional generator.
//
//     G(z, y) = tanh(W3 a2 + b3),  a2 = lrelu(W2 a1 + b2),
//     a1 = lrelu(W1 [z, onehot(y)] + b1)
//
// The label enters at G's input: the one-hot vector (B, K) is joined to the
// noise (B, Z) as K more input features, (B, Z + K), so that the first layer
// adds one learned vector per class (the column block of W1 that onehot(y)
// selects) to what z gives. Layers gan->g1, g2, g3; LeakyReLU slope
// L04_SLOPE; tanh at the end (images live in [-1, 1]).
// z (B, Z) -> returns (B, 1, H, W). Records on gan->tape (do not reset it).
// Tested against PyTorch: the output, and the gradients of G's parameters
// through it (tests/04_cgan/test_cgan_nets.c, l04_g/*).
Tensor *l04_generator_forward(L04Cgan *gan, Tensor *z, const int *labels) {
    /* BEGIN EXERCISE 4.1 */
    Tape *tp = &gan->tape;
    const L04Config *c = &gan->cfg;
    int B = z->shape[0];
    Tensor *h = tape_concat_channels(tp, z, l04_one_hot(tp, labels, B, c->n_classes));
    h = tape_leaky_relu(tp, nn_linear_forward(tp, &gan->g1, h), L04_SLOPE);
    h = tape_leaky_relu(tp, nn_linear_forward(tp, &gan->g2, h), L04_SLOPE);
    h = tape_tanh(tp, nn_linear_forward(tp, &gan->g3, h));
    return tensor_reshape(tp, h, 4, (int[]){B, 1, c->h, c->w});
    /* END EXERCISE 4.1 */
}

// Exercise 4.2 (20 points): the conditional discriminator.
//
//     phi = lrelu(W2 lrelu(W1 [flatten(x), onehot(y)] + b1) + b2)     (B, D2)
//     D(x, y) = w3 . phi + b3  +  E[y] . phi
//
// The label enters D twice. At the input, as in G: the image flattened to
// (B, X), the one-hot label joined after it, (B, X + K). (A convolutional D
// would take K label maps, constant H x W planes, as extra channels; for a
// dense first layer those planes give exactly one learned vector per class,
// which is what the one-hot does with K numbers instead of K*H*W.)
// And at the output, the projection: E (K, D2) holds one embedding per
// class (gan->dproj's weight), and E[y] . phi says how well the features
// match the class that was asked for. nn_linear_forward(tp, &gan->dproj, phi)
// gives the scores of all K classes (B, K); l04_pick keeps column y of each
// row (B, 1); add it to gan->d3's logit (tape_add). D thus judges the PAIR:
// a fine sneaker labelled "bag" must be called fake.
// x (B, 1, H, W) -> returns the logits (B, 1). No activation at the end.
// Tested against PyTorch: the logits and D's parameter gradients through them
// (l04_d/*).
Tensor *l04_discriminator_forward(L04Cgan *gan, Tensor *x, const int *labels) {
    /* BEGIN EXERCISE 4.2 */
    Tape *tp = &gan->tape;
    int B = x->shape[0];
    Tensor *h = tape_concat_channels(tp, tensor_flatten(tp, x),
                                     l04_one_hot(tp, labels, B, gan->cfg.n_classes));
    h = tape_leaky_relu(tp, nn_linear_forward(tp, &gan->d1, h), L04_SLOPE);
    Tensor *phi = tape_leaky_relu(tp, nn_linear_forward(tp, &gan->d2, h), L04_SLOPE);
    Tensor *match = l04_pick(tp, nn_linear_forward(tp, &gan->dproj, phi), labels);
    return tape_add(tp, nn_linear_forward(tp, &gan->d3, phi), match);
    /* END EXERCISE 4.2 */
}

// Exercise 4.3 (30 points): the conditional discriminator step.
//
//     loss_D = BCE(D(real, real_labels), 1) + BCE(D(G(z, fake_labels), fake_labels), 0)
//
// 1. tape_reset the tape, zero D's gradients.
// 2. fake = G(z, fake_labels) under no_grad: here G's output is data.
// 3. D on the real pair and on the fake pair (each with ITS labels), the two
//    BCE losses (targets of ones and zeros), their sum, one backward.
// 4. One Adam step of D (gan->opt_d on gan->ps_d).
// real (B, 1, H, W) with real_labels (B); z (B, Z) with fake_labels (B).
// Writes *d_real and *d_fake, the batch means of sigmoid(logit) before the
// update; returns loss_D. G's parameters and gradients stay untouched.
// Tested against PyTorch: loss, D(x), D(G(z)), D's gradients and parameters
// after the update; and that G is untouched (l04_step/d_step_*).
float l04_d_step(L04Cgan *gan, float *d_real, float *d_fake, const float *real,
                 const int *real_labels, const float *z, const int *fake_labels, int B) {
    /* BEGIN EXERCISE 4.3 */
    Tape *tp = &gan->tape;
    const L04Config *c = &gan->cfg;
    tape_reset(tp);
    paramset_zero_grad(&gan->ps_d);

    int was = tape_set_no_grad(tp, 1);
    Tensor *zt = tape_tensor(tp, 2, (int[]){B, c->z_dim}, 0);
    memcpy(zt->data, z, sizeof(float) * B * c->z_dim);
    Tensor *fake = l04_generator_forward(gan, zt, fake_labels);
    tape_set_no_grad(tp, was);

    Tensor *x = tape_tensor(tp, 4, (int[]){B, 1, c->h, c->w}, 0);
    memcpy(x->data, real, sizeof(float) * x->size);
    Tensor *logit_real = l04_discriminator_forward(gan, x, real_labels);
    Tensor *logit_fake = l04_discriminator_forward(gan, fake, fake_labels);
    Tensor *loss = tape_add(tp, tape_bce_with_logits(tp, logit_real, tape_full_like(tp, logit_real, 1.0f)),
                            tape_bce_with_logits(tp, logit_fake, tape_full_like(tp, logit_fake, 0.0f)));
    tape_backward(tp, loss);
    optim_step(&gan->opt_d, &gan->ps_d);

    *d_real = l04_mean_sigmoid(logit_real);
    *d_fake = l04_mean_sigmoid(logit_fake);
    return loss->data[0];
    /* END EXERCISE 4.3 */
}

// Exercise 4.4 (30 points): the conditional generator step, non-saturating.
//
//     loss_G = BCE(D(G(z, labels), labels), 1)
//
// G must draw class labels[i] well enough that D, TOLD the label, calls it
// real: a good shirt drawn when a bag was asked for is still punished.
// 1. tape_reset, zero G's gradients, and freeze D for the step
//    (paramset_set_requires_grad(&gan->ps_d, 0); unfreeze at the end), so
//    the backward pass computes no gradient for D's weights at all.
// 2. fake = G(z, labels) on the tape; logit = D(fake, labels); the loss
//    against ones; backward: the gradient flows through D into G.
// 3. One Adam step of G. Returns loss_G. D's parameters stay bit for bit
//    unchanged.
// Tested against PyTorch: loss, G's gradients and parameters after the
// update; and that D is unchanged (l04_step/g_step_*).
float l04_g_step(L04Cgan *gan, const float *z, const int *labels, int B) {
    /* BEGIN EXERCISE 4.4 */
    Tape *tp = &gan->tape;
    tape_reset(tp);
    paramset_zero_grad(&gan->ps_g);
    paramset_set_requires_grad(&gan->ps_d, 0);

    Tensor *zt = tape_tensor(tp, 2, (int[]){B, gan->cfg.z_dim}, 0);
    memcpy(zt->data, z, sizeof(float) * B * gan->cfg.z_dim);
    Tensor *logit = l04_discriminator_forward(gan, l04_generator_forward(gan, zt, labels), labels);
    Tensor *loss = tape_bce_with_logits(tp, logit, tape_full_like(tp, logit, 1.0f));
    tape_backward(tp, loss);
    optim_step(&gan->opt_g, &gan->ps_g);

    paramset_set_requires_grad(&gan->ps_d, 1);
    return loss->data[0];
    /* END EXERCISE 4.4 */
}
