// losses_exercises.c - lesson 01: the GAN losses on the discriminator's logits.
//
// The theory is in README.md. Shapes and conventions are in losses.h:
// n = batch size, every loss is a mean over the batch, every backward adds
// (+=) dloss * d(loss)/d(logit) into its output.
//
// Test one exercise with
//     make check LESSON=01
// The tests are in tests/01_gan_losses/; each names the exercise it grades.
#include "losses.h"

#include <math.h>

#include "util/exercise.h"

// ------------------------------------------------------------ binary cross-entropy

// Exercise 1.1 (4 points)
// Mean binary cross-entropy of a batch of logits a (n,) against one target y:
//     loss = (1/n) sum_i -[ y log sigmoid(a_i) + (1-y) log(1 - sigmoid(a_i)) ]
// Must be finite for ANY finite logit: at a = +-100, +-1e4, +-1e30 the tests
// want the exact limits (|a| when the target is the wrong side, 0 when it is
// the right side), never NaN or Inf. Hint (README, "Working on logits"):
//     BCE(a, y) = max(a, 0) - a*y + log(1 + exp(-|a|))
// Tested against torch.nn.BCEWithLogitsLoss with y in {0, 0.9, 1}.
float l01_bce_forward(const float *logits, float target, int n) {
    /* BEGIN EXERCISE 1.1 */
    (void)logits; (void)target; (void)n;   // unused until you write the body
    EXERCISE_TODO("1.1");
    /* END EXERCISE 1.1 */
}

// Exercise 1.2 (4 points)
// The gradient of exercise 1.1 with respect to each logit (derived in the
// README):  d BCE(a, y) / da = sigmoid(a) - y, and the mean divides by n, so
//     dlogits[i] += dloss * (sigmoid(a_i) - y) / n
// Accumulate with +=. Must stay finite at a = +-100 and beyond (the limits
// are -y/n for a -> -inf and (1-y)/n for a -> +inf). Tested against PyTorch
// autograd and against finite differences of the loss.
void l01_bce_backward(float *dlogits, const float *logits, float target, float dloss, int n) {
    /* BEGIN EXERCISE 1.2 */
    (void)dlogits; (void)logits; (void)target; (void)dloss; (void)n;   // unused until you write the body
    EXERCISE_TODO("1.2");
    /* END EXERCISE 1.2 */
}

// ------------------------------------------------------------ the discriminator

// Exercise 1.3 (3 points)
// The discriminator's loss: real images have label 1, fakes label 0,
//     L^D = -E[log D(x)] - E[log(1 - D(G(z)))]
//         = BCE(real_logits, 1) + BCE(fake_logits, 0)      (each a mean over n)
// real_logits (n,) are D's logits on real images, fake_logits (n,) on G(z).
// Tested against PyTorch, at +-100, and with a confident discriminator (which
// catches swapped arguments or swapped labels).
float l01_d_loss_forward(const float *real_logits, const float *fake_logits, int n) {
    /* BEGIN EXERCISE 1.3 */
    (void)real_logits; (void)fake_logits; (void)n;   // unused until you write the body
    EXERCISE_TODO("1.3");
    /* END EXERCISE 1.3 */
}

// Exercise 1.4 (3 points)
// The gradient of L^D:  dreal[i] += dloss * (sigmoid(real_i) - 1) / n,
//                       dfake[i] += dloss *  sigmoid(fake_i)      / n.
// Accumulate with +=. Gradient descent on L^D must push real logits up
// (dreal < 0) and fake logits down (dfake > 0). Tested against PyTorch
// autograd and finite differences.
void l01_d_loss_backward(float *dreal, float *dfake, const float *real_logits,
                         const float *fake_logits, float dloss, int n) {
    /* BEGIN EXERCISE 1.4 */
    (void)dreal; (void)dfake; (void)real_logits; (void)fake_logits; (void)dloss; (void)n;   // unused until you write the body
    EXERCISE_TODO("1.4");
    /* END EXERCISE 1.4 */
}

// ------------------------------------------------------------ the generator

// Exercise 1.5 (2 points)
// The saturating generator loss, read straight off the minimax game: G
// minimises the part of V(D, G) it can change,
//     L^G_sat = E[log(1 - D(G(z)))] = -BCE(fake_logits, 0)
// It is NEGATIVE (log of a probability). Tested against PyTorch and at +-100.
float l01_g_loss_saturating_forward(const float *fake_logits, int n) {
    /* BEGIN EXERCISE 1.5 */
    (void)fake_logits; (void)n;   // unused until you write the body
    EXERCISE_TODO("1.5");
    /* END EXERCISE 1.5 */
}

// Exercise 1.6 (3 points)
// Its gradient:  dfake[i] += dloss * (-sigmoid(fake_i)) / n.
// When D rejects the fakes (sigmoid(fake) near 0, early in training) this
// gradient vanishes: that is the saturation the README explains.
void l01_g_loss_saturating_backward(float *dfake, const float *fake_logits, float dloss, int n) {
    /* BEGIN EXERCISE 1.6 */
    (void)dfake; (void)fake_logits; (void)dloss; (void)n;   // unused until you write the body
    EXERCISE_TODO("1.6");
    /* END EXERCISE 1.6 */
}

// Exercise 1.7 (2 points)
// The non-saturating generator loss: G pretends its fakes are real (label 1),
//     L^G = -E[log D(G(z))] = BCE(fake_logits, 1)
// It is POSITIVE. Tested against PyTorch and at +-100.
float l01_g_loss_forward(const float *fake_logits, int n) {
    /* BEGIN EXERCISE 1.7 */
    (void)fake_logits; (void)n;   // unused until you write the body
    EXERCISE_TODO("1.7");
    /* END EXERCISE 1.7 */
}

// Exercise 1.8 (3 points)
// Its gradient:  dfake[i] += dloss * (sigmoid(fake_i) - 1) / n.
// Close to -1/n when D rejects the fakes: a strong push exactly when G is bad.
void l01_g_loss_backward(float *dfake, const float *fake_logits, float dloss, int n) {
    /* BEGIN EXERCISE 1.8 */
    (void)dfake; (void)fake_logits; (void)dloss; (void)n;   // unused until you write the body
    EXERCISE_TODO("1.8");
    /* END EXERCISE 1.8 */
}

// ------------------------------------------------------------ least squares (LSGAN)

// Exercise 1.9 (1 point)
// The least-squares discriminator loss (used again in lesson 06). Here D has
// no sigmoid: its raw outputs are the scores, and the targets are 1 and 0,
//     L^D_LS = 1/2 mean_i (real_i - 1)^2 + 1/2 mean_i fake_i^2
// (the 1/2 is the convention of the LSGAN paper and of CycleGAN's code).
float l01_lsgan_d_loss_forward(const float *real_scores, const float *fake_scores, int n) {
    /* BEGIN EXERCISE 1.9 */
    (void)real_scores; (void)fake_scores; (void)n;   // unused until you write the body
    EXERCISE_TODO("1.9");
    /* END EXERCISE 1.9 */
}

// Exercise 1.10 (2 points)
// Its gradient:  dreal[i] += dloss * (real_i - 1) / n,  dfake[i] += dloss * fake_i / n.
void l01_lsgan_d_loss_backward(float *dreal, float *dfake, const float *real_scores,
                               const float *fake_scores, float dloss, int n) {
    /* BEGIN EXERCISE 1.10 */
    (void)dreal; (void)dfake; (void)real_scores; (void)fake_scores; (void)dloss; (void)n;   // unused until you write the body
    EXERCISE_TODO("1.10");
    /* END EXERCISE 1.10 */
}

// Exercise 1.11 (1 point)
// The least-squares generator loss: G wants its fakes scored 1,
//     L^G_LS = 1/2 mean_i (fake_i - 1)^2
float l01_lsgan_g_loss_forward(const float *fake_scores, int n) {
    /* BEGIN EXERCISE 1.11 */
    (void)fake_scores; (void)n;   // unused until you write the body
    EXERCISE_TODO("1.11");
    /* END EXERCISE 1.11 */
}

// Exercise 1.12 (2 points)
// Its gradient:  dfake[i] += dloss * (fake_i - 1) / n.
void l01_lsgan_g_loss_backward(float *dfake, const float *fake_scores, float dloss, int n) {
    /* BEGIN EXERCISE 1.12 */
    (void)dfake; (void)fake_scores; (void)dloss; (void)n;   // unused until you write the body
    EXERCISE_TODO("1.12");
    /* END EXERCISE 1.12 */
}
