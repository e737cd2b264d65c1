// cgan_ref.c - see cgan_ref.h.
#include "cgan_ref.h"

#include <criterion/criterion.h>
#include <string.h>

void cgan_ref_build(L04Cgan *gan, const RefFile *ref) {
    L04Config cfg = {
        .z_dim = RZ, .n_classes = RK, .h = RH, .w = RW, .g_hidden = {6, 7}, .d_hidden = {8, 5},
        .lr = ref_scalar(ref, "lr"), .beta1 = ref_scalar(ref, "beta1"),
        .beta2 = ref_scalar(ref, "beta2"),
    };
    Rng rng;
    rng_seed(&rng, 9);
    Error err = {0};
    cr_assert_eq(l04_cgan_init(gan, &cfg, &rng, &err), 0, "l04_cgan_init: %s", err.msg);
    memcpy(gan->ps_g.data, ref_get(ref, "g_block", gan->ps_g.size), sizeof(float) * gan->ps_g.size);
    memcpy(gan->ps_d.data, ref_get(ref, "d_block", gan->ps_d.size), sizeof(float) * gan->ps_d.size);
}

void cgan_ref_labels(int *out, const RefFile *ref, const char *name, int n) {
    const float *f = ref_get(ref, name, n);
    for (int i = 0; i < n; i++) out[i] = (int)f[i];
}

Tensor *cgan_ref_input(L04Cgan *gan, const float *data, int ndim, const int *shape) {
    Tensor *t = tape_tensor(&gan->tape, ndim, shape, 0);
    memcpy(t->data, data, sizeof(float) * t->size);
    return t;
}

Tensor *cgan_ref_probe_loss(L04Cgan *gan, Tensor *out, const float *probe) {
    Tape *tp = &gan->tape;
    Tensor *row = tensor_reshape(tp, out, 2, (int[]){1, (int)out->size});
    Tensor *w = cgan_ref_input(gan, probe, 2, (int[]){1, (int)out->size});
    return tape_linear(tp, row, w, NULL);
}

// One dense layer and its LeakyReLU.
static Tensor *dense_lrelu(Tape *tp, const Linear *l, Tensor *x) {
    return tape_leaky_relu(tp, nn_linear_forward(tp, l, x), L04_SLOPE);
}

Tensor *cgan_ref_generator_forward(L04Cgan *gan, Tensor *z, const int *labels) {
    Tape *tp = &gan->tape;
    int B = z->shape[0];
    Tensor *in = tape_concat_channels(tp, z, l04_one_hot(tp, labels, B, gan->cfg.n_classes));
    Tensor *a2 = dense_lrelu(tp, &gan->g2, dense_lrelu(tp, &gan->g1, in));
    Tensor *img = tape_tanh(tp, nn_linear_forward(tp, &gan->g3, a2));
    return tensor_reshape(tp, img, 4, (int[]){B, 1, gan->cfg.h, gan->cfg.w});
}

Tensor *cgan_ref_discriminator_forward(L04Cgan *gan, Tensor *x, const int *labels) {
    Tape *tp = &gan->tape;
    int B = x->shape[0];
    Tensor *onehot = l04_one_hot(tp, labels, B, gan->cfg.n_classes);
    Tensor *in = tape_concat_channels(tp, tensor_flatten(tp, x), onehot);
    Tensor *phi = dense_lrelu(tp, &gan->d2, dense_lrelu(tp, &gan->d1, in));
    Tensor *projection = l04_pick(tp, nn_linear_forward(tp, &gan->dproj, phi), labels);
    return tape_add(tp, nn_linear_forward(tp, &gan->d3, phi), projection);
}
