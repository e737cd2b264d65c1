// mlp_ref.c - see mlp_ref.h.
#include "mlp_ref.h"

#include "kernels/activations.h"
#include "kernels/linear.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

void mlp_ref_block(float *out, const RefFile *ref, const char *prefix, const L02Mlp *m) {
    char name[48];
    for (int l = 0; l < m->n_layers; l++) {
        long nw = (long)m->sizes[l + 1] * m->sizes[l], nb = m->sizes[l + 1];
        snprintf(name, sizeof name, "%sW%d", prefix, l);
        memcpy(out + (m->W[l] - m->ps.data), ref_get(ref, name, nw), sizeof(float) * nw);
        snprintf(name, sizeof name, "%sb%d", prefix, l);
        memcpy(out + (m->b[l] - m->ps.data), ref_get(ref, name, nb), sizeof(float) * nb);
    }
}

void mlp_build_from_ref(L02Mlp *m, const RefFile *ref, const char *prefix, const int *sizes,
                        int n_layers, L02MlpAct hidden_act, L02MlpAct out_act, int max_batch) {
    Rng rng;
    rng_seed(&rng, 1);
    Error err;
    int rc = l02_mlp_init(m, "ref", sizes, n_layers, hidden_act, out_act, max_batch, &rng, &err);
    cr_assert(rc == 0, "l02_mlp_init failed: %s", err.msg);
    mlp_ref_block(m->ps.data, ref, prefix, m);
}

// f_l of layer l: the hidden activation, or the output's for the last layer.
static L02MlpAct act_of(const L02Mlp *m, int l) {
    return l == m->n_layers - 1 ? m->out_act : m->hidden_act;
}

const float *mlp_ref_forward(L02Mlp *m, const float *inp, int B) {
    m->inp = inp;
    for (int l = 0; l < m->n_layers; l++) {
        const float *x = l ? m->act[l - 1] : inp;
        int n = B * m->sizes[l + 1];
        linear_forward(m->pre[l], x, m->W[l], m->b[l], B, m->sizes[l], m->sizes[l + 1]);
        switch (act_of(m, l)) {
        case L02_ACT_NONE:       memcpy(m->act[l], m->pre[l], sizeof(float) * n); break;
        case L02_ACT_RELU:       relu_forward(m->act[l], m->pre[l], n); break;
        case L02_ACT_LEAKY_RELU:
            leaky_relu_forward(m->act[l], m->pre[l], L02_LEAKY_SLOPE, n);
            break;
        case L02_ACT_TANH:       tanh_forward(m->act[l], m->pre[l], n); break;
        }
    }
    return m->act[m->n_layers - 1];
}

void mlp_ref_backward(L02Mlp *m, float *dinp, const float *dout, int B) {
    // dact and dpre take turns: layer l reads dLoss/d act[l] from one and
    // leaves dLoss/d act[l-1] in the other.
    const float *g = dout;
    for (int l = m->n_layers - 1; l >= 0; l--) {
        int n = B * m->sizes[l + 1];
        memset(m->dpre, 0, sizeof(float) * n);
        switch (act_of(m, l)) {
        case L02_ACT_NONE:       for (int i = 0; i < n; i++) m->dpre[i] = g[i]; break;
        case L02_ACT_RELU:       relu_backward(m->dpre, m->pre[l], g, n); break;
        case L02_ACT_LEAKY_RELU:
            leaky_relu_backward(m->dpre, m->pre[l], g, L02_LEAKY_SLOPE, n);
            break;
        case L02_ACT_TANH:       tanh_backward(m->dpre, m->act[l], g, n); break;
        }
        float *dx = l ? m->dact : dinp;
        if (l) memset(dx, 0, sizeof(float) * B * m->sizes[l]);
        linear_backward(dx, m->dW[l], m->db[l], m->dpre, l ? m->act[l - 1] : m->inp, m->W[l], B,
                        m->sizes[l], m->sizes[l + 1]);
        g = dx;
    }
}
