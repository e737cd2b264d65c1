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
    l04_cgan_init(gan, &cfg, &rng);
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
