// optim.c - Adam, SGD and the learning-rate schedules.
#include "nn/optim.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static float *zeros(long n) {
    float *p = calloc((size_t)(n > 0 ? n : 1), sizeof(float));
    if (!p) tensor_fail("out of memory allocating optimiser state of %ld floats", n);
    return p;
}

void optim_adam_init(Optimizer *opt, const ParamSet *ps, float lr, float beta1, float beta2,
                     float eps) {
    memset(opt, 0, sizeof *opt);
    opt->kind = OPTIM_ADAM;
    opt->lr = lr;
    opt->beta1 = beta1;
    opt->beta2 = beta2;
    opt->eps = eps;
    opt->n = ps->size;
    opt->m = zeros(ps->size);
    opt->v = zeros(ps->size);
}

void optim_sgd_init(Optimizer *opt, const ParamSet *ps, float lr, float momentum) {
    memset(opt, 0, sizeof *opt);
    opt->kind = OPTIM_SGD;
    opt->lr = lr;
    opt->momentum = momentum;
    opt->n = ps->size;
    opt->m = momentum != 0.0f ? zeros(ps->size) : NULL;
}

void optim_free(Optimizer *opt) {
    free(opt->m);
    free(opt->v);
    memset(opt, 0, sizeof *opt);
}

static void adam_step(Optimizer *opt, float *p, const float *g, long n) {
    // PyTorch's form: p -= lr/bc1 * m / (sqrt(v)/sqrt(bc2) + eps), eps outside the correction.
    double bc1 = 1.0 - pow(opt->beta1, (double)opt->step);
    double bc2 = 1.0 - pow(opt->beta2, (double)opt->step);
    float step_size = (float)(opt->lr / bc1);
    float sqrt_bc2 = (float)sqrt(bc2);
    float b1 = opt->beta1, b2 = opt->beta2, eps = opt->eps;
    float *m = opt->m, *v = opt->v;
    #pragma omp parallel for if (n > 65536)
    for (long i = 0; i < n; i++) {
        m[i] = b1 * m[i] + (1.0f - b1) * g[i];
        v[i] = b2 * v[i] + (1.0f - b2) * g[i] * g[i];
        p[i] -= step_size * m[i] / (sqrtf(v[i]) / sqrt_bc2 + eps);
    }
}

static void sgd_step(Optimizer *opt, float *p, const float *g, long n) {
    float lr = opt->lr, mu = opt->momentum;
    float *vel = opt->m;
    if (!vel) {
        for (long i = 0; i < n; i++) p[i] -= lr * g[i];
        return;
    }
    // Velocity starts at 0, so the first step's velocity is the gradient, as in PyTorch.
    for (long i = 0; i < n; i++) {
        vel[i] = mu * vel[i] + g[i];
        p[i] -= lr * vel[i];
    }
}

void optim_step(Optimizer *opt, ParamSet *ps) {
    if (ps->size != opt->n)
        tensor_fail("optim_step: the optimiser was made for %ld parameters, this ParamSet "
                    "has %ld", opt->n, ps->size);
    if (opt->gate && opt->gate(opt->gate_ctx, opt, ps) != 0) return;
    opt->step++;
    switch (opt->kind) {
    case OPTIM_ADAM:
        adam_step(opt, ps->data, ps->grad, ps->size);
        break;
    case OPTIM_SGD:
        sgd_step(opt, ps->data, ps->grad, ps->size);
        break;
    }
}

float lr_schedule_at(const LrSchedule *s, int epoch) {
    switch (s->policy) {
    case LR_LINEAR_DECAY: {
        int past = epoch + 1 - s->n_epochs;
        if (past < 0) past = 0;
        return s->base_lr * (1.0f - (float)past / (float)(s->n_epochs_decay + 1));
    }
    case LR_CONSTANT:
        break;
    }
    return s->base_lr;
}
