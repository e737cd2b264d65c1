// cyclegan_exercises.c - exercises 6.1 to 6.6: the cycle-consistency loss
// and its gradient, the identity loss, the ResNet generator's residual
// block, the image pool, and the two halves of a CycleGAN training step.
//
// Read cyclegan.h first, then common/models/resnet_gen.h and common/models/patchgan.h.
// B = batch, C = channels, H, W = height, width. Tools (common/autograd/tape.h,
// common/nn/layers.h):
//   nn_conv2d_forward(tp, &conv, x)        nn_instancenorm2d_forward(tp, &norm, x)
//   tape_pad_reflect(tp, x, pad), tape_relu(tp, x), tape_add(tp, a, b), tape_scale(tp, x, s)
//   tape_mse(tp, a, b), tape_l1(tp, a, b), tape_full_like(tp, t, value)
//   tensor_detach(tp, t), tape_tensor(tp, 4, shape, 0), tape_backward(tp, loss)
//   patchgan_forward(&d, tp, x, 1)         l06_generator(&c->g, tp, x)  (G or F, your block)
//   paramset_zero_grad(&ps), paramset_set_requires_grad(&ps, on), optim_step(&opt, &ps)
//   rng_uniform(rng) in [0, 1), rng_int(rng, n) in [0, n)
//
//     make check LESSON=06       which exercises pass (tests/06_cyclegan/)
//     make run LESSON=06         train with YOUR functions
#include <math.h>
#include <string.h>

#include "cyclegan.h"
#include "util/exercise.h"

// Exercise 6.1 (15 points): the cycle-consistency loss, by hand.
//
//     L_cyc = lambda * ( mean |rec_a - a| + mean |rec_b - b| )
// rec_a = F(G(a)) and rec_b = G(F(b)): each image sent to the other domain
// and back must come home. Without this term nothing ties G(a) to a: any
// mapping onto B that fools D_Y is as good (a permutation of the emoji, or
// one output for every input). Each array holds n floats (B * C * H * W);
// the means are over those n.
// The backward writes (overwrites) d_rec_a and d_rec_b, the gradients of
// dout * L_cyc: for each element lambda * dout * sign(rec - real) / n,
// where sign(0) = 0 (PyTorch's choice at the kink). a and b get no gradient:
// they are data.
// Tested against PyTorch's l1_loss (value and gradients, a pixel exactly on
// the kink included) and against finite differences.
float l06_cycle_loss_forward(const float *rec_a, const float *a, const float *rec_b,
                             const float *b, long n, float lambda) {
    /* BEGIN EXERCISE 6.1 */
    double sa = 0.0, sb = 0.0;
    for (long i = 0; i < n; i++) {
        sa += fabs((double)rec_a[i] - a[i]);
        sb += fabs((double)rec_b[i] - b[i]);
    }
    return (float)(lambda * (sa + sb) / n);
    /* END EXERCISE 6.1 */
}

void l06_cycle_loss_backward(float *d_rec_a, float *d_rec_b, const float *rec_a, const float *a,
                             const float *rec_b, const float *b, long n, float lambda,
                             float dout) {
    /* BEGIN EXERCISE 6.1 */
    float s = lambda * dout / (float)n;
    for (long i = 0; i < n; i++) {
        float da = rec_a[i] - a[i], db = rec_b[i] - b[i];
        d_rec_a[i] = da > 0.0f ? s : da < 0.0f ? -s : 0.0f;
        d_rec_b[i] = db > 0.0f ? s : db < 0.0f ? -s : 0.0f;
    }
    /* END EXERCISE 6.1 */
}

// Exercise 6.2 (10 points): the identity loss, on the tape.
//
//     L_idt = weight * ( mean |F(a) - a| + mean |G(b) - b| )
// f_a = F(a) and g_b = G(b): each generator given an image that is ALREADY
// of its output domain should leave it alone. It keeps the colours (without
// it a 3-D emoji may come out with inverted or shifted colours). The
// caller's weight is 0.5 * lambda (the paper's 0.5, as a fraction of the
// cycle weight). All four tensors (B, C, H, W).
// Returns the scalar on the tape (backward reaches G and F through g_b and
// f_a); writes *idt_a = mean |F(a) - a| and *idt_b = mean |G(b) - b|,
// unweighted. Tested against PyTorch: the three numbers and the gradients
// with respect to f_a and g_b.
Tensor *l06_identity_loss(Tape *tp, Tensor *a, Tensor *f_a, Tensor *b, Tensor *g_b, float weight,
                          float *idt_a, float *idt_b) {
    /* BEGIN EXERCISE 6.2 */
    Tensor *la = tape_l1(tp, f_a, a), *lb = tape_l1(tp, g_b, b);
    *idt_a = la->data[0];
    *idt_b = lb->data[0];
    return tape_scale(tp, tape_add(tp, la, lb), weight);
    /* END EXERCISE 6.2 */
}

// Exercise 6.3 (15 points): the residual block of the ResNet generator.
//
//     h = ReflectionPad(1) -> r->c1 -> r->n1 (instance norm) -> ReLU
//     h = ReflectionPad(1) -> r->c2 -> r->n2 (instance norm)          (no ReLU)
//     return x + h
// x (B, 4F, H, W) -> the same shape. The convolutions are 3x3 without
// padding of their own: the reflection pads keep the size and, unlike zero
// padding, draw no dark frame at the image borders. The skip means a block
// starts as (almost) the identity: the generator's job is a small change of
// rendering, so most of the image passes through untouched.
// Tested against PyTorch: the output and the gradients of every parameter
// and of x; your block runs inside G and F during training (l06_generator).
Tensor *l06_resblock_forward(const ResBlock *r, Tape *tp, Tensor *x) {
    /* BEGIN EXERCISE 6.3 */
    Tensor *h = nn_conv2d_forward(tp, &r->c1, tape_pad_reflect(tp, x, 1));
    h = tape_relu(tp, nn_instancenorm2d_forward(tp, &r->n1, h));
    h = nn_conv2d_forward(tp, &r->c2, tape_pad_reflect(tp, h, 1));
    h = nn_instancenorm2d_forward(tp, &r->n2, h);
    return tape_add(tp, x, h);
    /* END EXERCISE 6.3 */
}

// Exercise 6.4 (15 points): the image pool's query.
//
// fake (n, C, H, W): the newest images of a generator; out (n, C, H, W):
// what the discriminator is shown instead. Image by image, i = 0 .. n-1:
//   - p->cap == 0: out[i] = fake[i] (no pool);
//   - the pool is not full (p->count < p->cap): store fake[i] at slot
//     p->count, count it, out[i] = fake[i]; no random draw;
//   - the pool is full: u = rng_uniform(rng); if u > 0.5: j = rng_int(rng,
//     p->cap), out[i] = the stored image j, and fake[i] takes slot j;
//     otherwise out[i] = fake[i] and the pool is left alone.
// So once full, half of what D sees is history (up to a few hundred steps
// old). Exactly these draws in this order: a resumed run replays the same
// pool (the pool and the rng are saved with the checkpoint).
// Tested: the filling, the exact outputs and pool contents under a fixed
// seed, and that out may alias nothing but must not share fake's memory.
void l06_pool_query(L06Pool *p, float *out, const float *fake, int n, Rng *rng) {
    /* BEGIN EXERCISE 6.4 */
    long image = (long)p->c * p->h * p->w;
    size_t bytes = sizeof(float) * (size_t)image;
    for (int i = 0; i < n; i++) {
        const float *in = fake + i * image;
        float *o = out + i * image;
        if (p->cap == 0) {
            memcpy(o, in, bytes);
        } else if (p->count < p->cap) {
            memcpy(p->images + p->count * image, in, bytes);
            p->count++;
            memcpy(o, in, bytes);
        } else if (rng_uniform(rng) > 0.5f) {
            float *slot = p->images + rng_int(rng, p->cap) * image;
            memcpy(o, slot, bytes);
            memcpy(slot, in, bytes);
        } else {
            memcpy(o, in, bytes);
        }
    }
    /* END EXERCISE 6.4 */
}

// Exercise 6.5 (25 points): the generators' step (G and F together).
//
// a (B, C, H, W) from domain A, b from domain B, already on c->tape.
// 1. fake_b = G(a), rec_a = F(fake_b); fake_a = F(b), rec_b = G(fake_a)
//    (l06_generator: the library's G with your residual block). Hand fake_a
//    and fake_b back through the pointers: the D step judges these.
// 2. Freeze both discriminators (paramset_set_requires_grad(.., 0)): L must
//    move G and F only; unfreeze them at the end.
// 3. L = adv_g + adv_f + cycle + identity, where (LSGAN: a least-squares
//    loss, whose gradient does not vanish for fakes D is sure about)
//      adv_g = MSE(D_Y(fake_b), 1)      adv_f = MSE(D_X(fake_a), 1)
//      cycle = lambda * (mean |rec_a - a| + mean |rec_b - b|)  (tape_l1:
//              the loss of your 6.1; left out when c->cfg.cycle is 0)
//      identity = l06_identity_loss(a, F(a), b, G(b), identity * lambda)
//              (6.2; left out, and G(b), F(a) not computed, when
//              c->cfg.identity is 0)
//    with lambda = c->cfg.lambda and identity = c->cfg.identity.
// 4. Zero the gradients of G and F, backward L, optim_step G and F.
// Every D forward is patchgan_forward(&d, tp, x, 1) (instance norm has no
// modes). Fills st: loss_g, adv_g, adv_f, cycle_a, cycle_b (unweighted, also
// without the cycle loss), idt_a, idt_b (0 without identity).
// Tested against PyTorch (one step of G, F ngf 2, 1 block, and two PatchGANs
// ndf 2, 1 layer, on 8x8 images, batch 2): the numbers, the gradients and
// the weights after Adam of G and F, for the full loss, without identity and
// without cycle; and that both D are left untouched and unfrozen.
void l06_g_step(L06Cyclegan *c, L06Stats *st, Tensor *a, Tensor *b, Tensor **fake_a,
                Tensor **fake_b) {
    /* BEGIN EXERCISE 6.5 */
    Tape *tp = &c->tape;
    const L06Config *cfg = &c->cfg;
    Tensor *fb = l06_generator(&c->g, tp, a), *rec_a = l06_generator(&c->f, tp, fb);
    Tensor *fa = l06_generator(&c->f, tp, b), *rec_b = l06_generator(&c->g, tp, fa);
    *fake_a = fa, *fake_b = fb;

    paramset_set_requires_grad(&c->ps_dx, 0);
    paramset_set_requires_grad(&c->ps_dy, 0);
    Tensor *dy = patchgan_forward(&c->d_y, tp, fb, 1), *dx = patchgan_forward(&c->d_x, tp, fa, 1);
    Tensor *adv_g = tape_mse(tp, dy, tape_full_like(tp, dy, 1.0f));
    Tensor *adv_f = tape_mse(tp, dx, tape_full_like(tp, dx, 1.0f));
    Tensor *loss = tape_add(tp, adv_g, adv_f);
    Tensor *cyc_a = tape_l1(tp, rec_a, a), *cyc_b = tape_l1(tp, rec_b, b);
    if (cfg->cycle) loss = tape_add(tp, loss, tape_scale(tp, tape_add(tp, cyc_a, cyc_b), cfg->lambda));
    if (cfg->identity > 0.0f) {
        Tensor *f_a = l06_generator(&c->f, tp, a), *g_b = l06_generator(&c->g, tp, b);
        loss = tape_add(tp, loss, l06_identity_loss(tp, a, f_a, b, g_b, cfg->identity * cfg->lambda,
                                                    &st->idt_a, &st->idt_b));
    }
    paramset_zero_grad(&c->ps_g);
    paramset_zero_grad(&c->ps_f);
    tape_backward(tp, loss);
    paramset_set_requires_grad(&c->ps_dx, 1);
    paramset_set_requires_grad(&c->ps_dy, 1);
    optim_step(&c->opt_g, &c->ps_g);
    optim_step(&c->opt_f, &c->ps_f);
    st->loss_g = loss->data[0];
    st->adv_g = adv_g->data[0], st->adv_f = adv_f->data[0];
    st->cycle_a = cyc_a->data[0], st->cycle_b = cyc_b->data[0];
    /* END EXERCISE 6.5 */
}

// Exercise 6.6 (20 points): the discriminators' step.
//
// fake_a = F(b) and fake_b = G(a) from the G step (their values were made
// before G and F moved, as in the reference code).
// 1. pooled_b = the pool's answer for fake_b (l06_pool_query on c->pool_b,
//    draws from &c->rng), pooled_a likewise for fake_a from c->pool_a, in
//    this order: B first. Each is a new tensor on the tape WITHOUT a
//    gradient: the D step must not reach G or F (a detached copy).
// 2. L_DY = 1/2 [ MSE(D_Y(b), 1) + MSE(D_Y(pooled_b), 0) ]
//    L_DX = 1/2 [ MSE(D_X(a), 1) + MSE(D_X(pooled_a), 0) ]
//    (the 1/2 slows D down relative to G).
// 3. Zero each D's gradients, backward each loss, optim_step D_Y and D_X.
// Fills st: loss_dx, loss_dy, and the mean outputs dx_real = mean D_X(a),
// dx_fake = mean D_X(pooled_a), dy_real, dy_fake likewise (l06_mean).
// Tested against PyTorch (the networks of 6.5's test, from an empty pool):
// the losses, the means, both D's gradients and weights after Adam; that the
// pools are filled, G and F are untouched, and the pooled images are used.
void l06_d_step(L06Cyclegan *c, L06Stats *st, Tensor *a, Tensor *b, Tensor *fake_a,
                Tensor *fake_b) {
    /* BEGIN EXERCISE 6.6 */
    Tape *tp = &c->tape;
    int B = fake_b->shape[0];
    Tensor *pooled_b = tape_tensor(tp, 4, fake_b->shape, 0);
    Tensor *pooled_a = tape_tensor(tp, 4, fake_a->shape, 0);
    l06_pool_query(&c->pool_b, pooled_b->data, fake_b->data, B, &c->rng);
    l06_pool_query(&c->pool_a, pooled_a->data, fake_a->data, B, &c->rng);

    Tensor *ry = patchgan_forward(&c->d_y, tp, b, 1), *fy = patchgan_forward(&c->d_y, tp, pooled_b, 1);
    Tensor *loss_dy = tape_scale(tp, tape_add(tp, tape_mse(tp, ry, tape_full_like(tp, ry, 1.0f)),
                                              tape_mse(tp, fy, tape_full_like(tp, fy, 0.0f))), 0.5f);
    Tensor *rx = patchgan_forward(&c->d_x, tp, a, 1), *fx = patchgan_forward(&c->d_x, tp, pooled_a, 1);
    Tensor *loss_dx = tape_scale(tp, tape_add(tp, tape_mse(tp, rx, tape_full_like(tp, rx, 1.0f)),
                                              tape_mse(tp, fx, tape_full_like(tp, fx, 0.0f))), 0.5f);
    paramset_zero_grad(&c->ps_dy);
    paramset_zero_grad(&c->ps_dx);
    tape_backward(tp, loss_dy);
    tape_backward(tp, loss_dx);
    optim_step(&c->opt_dy, &c->ps_dy);
    optim_step(&c->opt_dx, &c->ps_dx);
    st->loss_dy = loss_dy->data[0], st->loss_dx = loss_dx->data[0];
    st->dy_real = l06_mean(ry), st->dy_fake = l06_mean(fy);
    st->dx_real = l06_mean(rx), st->dx_fake = l06_mean(fx);
    /* END EXERCISE 6.6 */
}
