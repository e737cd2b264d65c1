// mlp_model.c - allocation and initialisation of an L02Mlp (mlp.h). The forward
// and backward passes are the exercises, in mlp_exercises.c.
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mlp.h"

int l02_mlp_init(L02Mlp *m, const char *name, const int *sizes, int n_layers, L02MlpAct hidden_act,
                 L02MlpAct out_act, int max_batch, Rng *rng, Error *err) {
    memset(m, 0, sizeof *m);
    if (n_layers < 1 || n_layers > L02_MLP_MAX_LAYERS)
        return error_set(err, "l02_mlp_init: %d layers, expected 1 to %d", n_layers,
                         L02_MLP_MAX_LAYERS);
    m->n_layers = n_layers;
    m->hidden_act = hidden_act;
    m->out_act = out_act;
    m->max_batch = max_batch;

    // every tensor first: the ParamSet's blocks move while they grow
    paramset_init(&m->ps);
    Tensor *w[L02_MLP_MAX_LAYERS], *b[L02_MLP_MAX_LAYERS];
    char pname[PARAM_NAME_LEN];
    int widest = 0;
    long n_acts = 0;
    for (int l = 0; l <= n_layers; l++) {
        m->sizes[l] = sizes[l];
        if (sizes[l] > widest) widest = sizes[l];
    }
    for (int l = 0; l < n_layers; l++) {
        snprintf(pname, sizeof pname, "%s.W%d", name, l);
        w[l] = paramset_add(&m->ps, pname, 2, (int[]){sizes[l + 1], sizes[l]});
        snprintf(pname, sizeof pname, "%s.b%d", name, l);
        b[l] = paramset_add(&m->ps, pname, 1, (int[]){sizes[l + 1]});
        n_acts += 2L * max_batch * sizes[l + 1];
    }

    m->pre[0] = malloc(sizeof(float) * n_acts);
    m->dact = malloc(sizeof(float) * 2L * max_batch * widest);
    if (!m->pre[0] || !m->dact) {
        l02_mlp_free(m);
        return error_set(err, "l02_mlp_init: out of memory for a batch of %d", max_batch);
    }
    m->dpre = m->dact + (long)max_batch * widest;

    float *a = m->pre[0];
    for (int l = 0; l < n_layers; l++) {
        int in = sizes[l], out = sizes[l + 1];
        m->W[l] = w[l]->data;  m->dW[l] = w[l]->grad;
        m->b[l] = b[l]->data;  m->db[l] = b[l]->grad;
        m->pre[l] = a;  a += (long)max_batch * out;
        m->act[l] = a;  a += (long)max_batch * out;
        // PyTorch's default: kaiming_uniform(a=sqrt(5)) on W reduces to this
        // bound, and the bias uses the same one
        float bound = 1.0f / sqrtf((float)in);
        rng_fill_uniform(rng, m->W[l], out * in, -bound, bound);
        rng_fill_uniform(rng, m->b[l], out, -bound, bound);
    }
    return 0;
}

void l02_mlp_free(L02Mlp *m) {
    paramset_free(&m->ps);
    free(m->pre[0]);
    free(m->dact);
    memset(m, 0, sizeof *m);
}

void l02_mlp_zero_grad(L02Mlp *m) {
    paramset_zero_grad(&m->ps);
}
