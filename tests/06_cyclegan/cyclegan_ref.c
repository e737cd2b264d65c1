// cyclegan_ref.c - the reference pieces of lesson 06 (exercises 6.2, 6.3 and 6.4
// as cyclegan.h and cyclegan_exercises.c describe them): the step tests run
// the student's steps on these (isolate_cyclegan_exercises.h), and the pool
// tests compare the student's pool with this one draw for draw.
#include "l06_test.h"

Tensor *l06_ref_identity_loss(Tape *tp, Tensor *a, Tensor *f_a, Tensor *b, Tensor *g_b,
                              float weight, float *idt_a, float *idt_b) {
    Tensor *la = tape_l1(tp, f_a, a), *lb = tape_l1(tp, g_b, b);
    *idt_a = la->data[0], *idt_b = lb->data[0];
    return tape_scale(tp, tape_add(tp, la, lb), weight);
}

Tensor *l06_ref_generator(ResnetGen *m, Tape *tp, Tensor *x) {
    return resnet_gen_forward_with(m, tp, x, resnet_block_forward);
}

// junyanz's ImagePool.query, image by image, with the course's Rng.
void l06_ref_pool_query(L06Pool *p, float *out, const float *fake, int n, Rng *rng) {
    long image = (long)p->c * p->h * p->w;
    for (int i = 0; i < n; i++) {
        const float *in = fake + i * image;
        const float *src = in;
        if (p->cap > 0 && p->count < p->cap) {
            memcpy(p->images + p->count++ * image, in, sizeof(float) * image);
        } else if (p->cap > 0 && rng_uniform(rng) > 0.5f) {
            float *slot = p->images + rng_int(rng, p->cap) * image;
            memcpy(out + i * image, slot, sizeof(float) * image);
            memcpy(slot, in, sizeof(float) * image);
            continue;
        }
        memcpy(out + i * image, src, sizeof(float) * image);
    }
}
