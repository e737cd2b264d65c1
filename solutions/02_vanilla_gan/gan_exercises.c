// gan_exercises.c - exercises 2.3 and 2.4: the two alternating steps of a GAN,
// wired by hand.
//
// B = batch size, Z = noise size, X = data size. Read gan.h first. Tools:
//   l02_mlp_forward / l02_mlp_backward / l02_mlp_zero_grad (mlp.h, your exercises 2.1-2.2)
//   bce_with_logits_forward / _backward (common/kernels/losses.h): the mean over the
//       batch; the backward ACCUMULATES, so zero gan->dlogit before it
//   gan->ones, gan->zeros: the targets "real" (1) and "fake" (0)
//   l02_update_d / l02_update_g (gan.h): one Adam step of one network
//   l02_mean_sigmoid (gan.h): the batch's average D(x), for the log
#include <string.h>

#include "util/exercise.h"
#include "gan.h"
#include "kernels/losses.h"

// Exercise 2.3 (25 points): the discriminator step.
//
//     loss_D = BCE(D(real), 1) + BCE(D(G(z)), 0)
//
// 1. Zero D's gradients.
// 2. fake = G(z). G is only evaluated: for this step its output is data, as
//    if it came from a file ("detached"). No backward through G.
// 3. Real half: D forward on real, BCE against ones, its backward (dloss 1),
//    then D's backward with dinp = NULL (nobody needs dLoss/d real).
// 4. Fake half: the same on fake against zeros. D's forward overwrites what
//    its previous forward saved, so the real half's backward must come first;
//    D's gradients add up over the two backward passes.
// 5. One Adam step of D (l02_update_d).
// Writes *d_real = mean D(real) and *d_fake = mean D(G(z)) (before the
// update), returns loss_D. G's parameters AND gradients are not touched.
// Tested against PyTorch, against finite differences of loss_D, and for
// leaving G alone (tests/02_vanilla_gan/test_gan_exercises.c, d_step_*).
float l02_d_step(L02Gan *gan, float *d_real, float *d_fake, const float *real, const float *z,
                 int B) {
    /* BEGIN EXERCISE 2.3 */
    l02_mlp_zero_grad(&gan->d);
    const float *fake = l02_mlp_forward(&gan->g, z, B);

    const float *logit = l02_mlp_forward(&gan->d, real, B);
    float loss = bce_with_logits_forward(logit, gan->ones, B);
    *d_real = l02_mean_sigmoid(logit, B);
    memset(gan->dlogit, 0, sizeof(float) * B);
    bce_with_logits_backward(gan->dlogit, logit, gan->ones, 1.0f, B);
    l02_mlp_backward(&gan->d, NULL, gan->dlogit, B);

    logit = l02_mlp_forward(&gan->d, fake, B);
    loss += bce_with_logits_forward(logit, gan->zeros, B);
    *d_fake = l02_mean_sigmoid(logit, B);
    memset(gan->dlogit, 0, sizeof(float) * B);
    bce_with_logits_backward(gan->dlogit, logit, gan->zeros, 1.0f, B);
    l02_mlp_backward(&gan->d, NULL, gan->dlogit, B);

    l02_update_d(gan);
    return loss;
    /* END EXERCISE 2.3 */
}

// Exercise 2.4 (30 points): the generator step, with the non-saturating loss.
//
//     loss_G = BCE(D(G(z)), 1) = -mean log D(G(z))
//
// 1. Zero G's gradients.
// 2. fake = G(z), logit = D(fake), loss_G against ones (G wants its fakes
//    called real), and dlogit = dloss_G/dlogit.
// 3. D's backward with dinp = gan->dfake (zero it first): dfake (B, X) =
//    dloss_G/d fake, the signal that tells G how to change its output. D's
//    backward also adds into D's own gradients: ignore them (the next D step
//    zeroes them), and above all do NOT update D: in this step D is the judge,
//    not a player.
// 4. G's backward from dfake (dinp = NULL: z needs no gradient).
// 5. One Adam step of G (l02_update_g). Returns loss_G.
// Tested against PyTorch, against finite differences of loss_G as a function
// of G's parameters, and for leaving D's parameters bit for bit unchanged
// (tests/02_vanilla_gan/test_gan_exercises.c, g_step_*).
float l02_g_step(L02Gan *gan, const float *z, int B) {
    /* BEGIN EXERCISE 2.4 */
    l02_mlp_zero_grad(&gan->g);
    const float *fake = l02_mlp_forward(&gan->g, z, B);
    const float *logit = l02_mlp_forward(&gan->d, fake, B);
    float loss = bce_with_logits_forward(logit, gan->ones, B);
    memset(gan->dlogit, 0, sizeof(float) * B);
    bce_with_logits_backward(gan->dlogit, logit, gan->ones, 1.0f, B);

    memset(gan->dfake, 0, sizeof(float) * B * gan->g.sizes[gan->g.n_layers]);
    l02_mlp_backward(&gan->d, gan->dfake, gan->dlogit, B);
    l02_mlp_backward(&gan->g, NULL, gan->dfake, B);

    l02_update_g(gan);
    return loss;
    /* END EXERCISE 2.4 */
}
