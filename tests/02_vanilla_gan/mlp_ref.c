// mlp_ref.c - see mlp_ref.h.
#include "mlp_ref.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

void mlp_ref_block(float *out, const RefFile *ref, const char *prefix, const Mlp *m) {
    char name[48];
    for (int l = 0; l < m->n_layers; l++) {
        long nw = (long)m->sizes[l + 1] * m->sizes[l], nb = m->sizes[l + 1];
        snprintf(name, sizeof name, "%sW%d", prefix, l);
        memcpy(out + (m->W[l] - m->ps.data), ref_get(ref, name, nw), sizeof(float) * nw);
        snprintf(name, sizeof name, "%sb%d", prefix, l);
        memcpy(out + (m->b[l] - m->ps.data), ref_get(ref, name, nb), sizeof(float) * nb);
    }
}

void mlp_build_from_ref(Mlp *m, const RefFile *ref, const char *prefix, const int *sizes,
                        int n_layers, MlpAct hidden_act, MlpAct out_act, int max_batch) {
    Rng rng;
    rng_seed(&rng, 1);
    Error err;
    int rc = mlp_build(m, "ref", sizes, n_layers, hidden_act, out_act, max_batch, &rng, &err);
    cr_assert(rc == 0, "mlp_build failed: %s", err.msg);
    mlp_ref_block(m->ps.data, ref, prefix, m);
}
