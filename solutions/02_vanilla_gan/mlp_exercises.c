// mlp_exercises.c - exercises 2.1 and 2.2: the forward and backward passes of an MLP.
//
// B = batch size, L = m->n_layers, F[l] = m->sizes[l]. Read mlp.h first: it
// says what each buffer of the L02Mlp holds. The dense layer and the activations
// are library kernels (common/kernels/linear.h, common/kernels/activations.h); your job is
// the wiring: which tensor goes into which call, in which order.
#include <string.h>

#include "kernels/activations.h"
#include "util/exercise.h"
#include "kernels/linear.h"
#include "mlp.h"

// Exercise 2.1 (15 points): the forward pass.
//
// For l = 0 .. L-1:
//     pre[l] (B, F[l+1]) = x[l] (B, F[l]) W[l]^T + b[l]      (linear_forward)
//     act[l] (B, F[l+1]) = f_l(pre[l])
// where x[0] = inp and x[l] = act[l-1]; f_l is m->hidden_act for l < L-1 and
// m->out_act for the last layer (L02_ACT_NONE copies pre into act).
// Keep inp in m->inp: the backward pass needs the input of layer 0.
// Return act[L-1].
// Tested against PyTorch (tests/02_vanilla_gan/test_mlp.c, forward_*).
const float *l02_mlp_forward(L02Mlp *m, const float *inp, int B) {
    /* BEGIN EXERCISE 2.1 */
    m->inp = inp;
    const float *x = inp;
    for (int l = 0; l < m->n_layers; l++) {
        int in = m->sizes[l], out = m->sizes[l + 1], n = B * out;
        linear_forward(m->pre[l], x, m->W[l], m->b[l], B, in, out);
        L02MlpAct f = l == m->n_layers - 1 ? m->out_act : m->hidden_act;
        switch (f) {
        case L02_ACT_NONE:       memcpy(m->act[l], m->pre[l], sizeof(float) * n); break;
        case L02_ACT_RELU:       relu_forward(m->act[l], m->pre[l], n); break;
        case L02_ACT_LEAKY_RELU: leaky_relu_forward(m->act[l], m->pre[l], L02_LEAKY_SLOPE, n); break;
        case L02_ACT_TANH:       tanh_forward(m->act[l], m->pre[l], n); break;
        }
        x = m->act[l];
    }
    return x;
    /* END EXERCISE 2.1 */
}

// Exercise 2.2 (30 points): the backward pass, by the chain rule.
//
// Walk the layers from the last to the first. At layer l you hold
// dact = dLoss/d act[l] (B, F[l+1]) (for the last layer that is dout), and
//     dpre   = dact * f_l'(pre[l])     the activation's backward: ReLU and
//                                      LeakyReLU take pre[l], tanh takes act[l]
//     dW[l] += dpre^T x[l]             these three are linear_backward
//     db[l] += sum over the batch of dpre
//     dx[l]  = dpre W[l]               = dLoss/d act[l-1], the dact of layer l-1
// At layer 0, dx[0] is dLoss/d inp: it goes into dinp (skip it when dinp is
// NULL).
// The library's backward kernels ACCUMULATE (+=): a scratch buffer must be
// zeroed before it receives a gradient. m->dact and m->dpre are two scratch
// buffers of max_batch * (widest layer) floats; never write into dout.
// Tested against PyTorch and against finite differences of the whole network
// (tests/02_vanilla_gan/test_mlp.c, backward_*).
void l02_mlp_backward(L02Mlp *m, float *dinp, const float *dout, int B) {
    /* BEGIN EXERCISE 2.2 */
    const float *dact = dout;
    for (int l = m->n_layers - 1; l >= 0; l--) {
        int in = m->sizes[l], out = m->sizes[l + 1], n = B * out;
        L02MlpAct f = l == m->n_layers - 1 ? m->out_act : m->hidden_act;
        memset(m->dpre, 0, sizeof(float) * n);
        switch (f) {
        case L02_ACT_NONE:
            for (int i = 0; i < n; i++) m->dpre[i] += dact[i];
            break;
        case L02_ACT_RELU:       relu_backward(m->dpre, m->pre[l], dact, n); break;
        case L02_ACT_LEAKY_RELU: leaky_relu_backward(m->dpre, m->pre[l], dact, L02_LEAKY_SLOPE, n); break;
        case L02_ACT_TANH:       tanh_backward(m->dpre, m->act[l], dact, n); break;
        }
        // dact has been used up: its buffer can take dx[l]
        float *dx = l == 0 ? dinp : m->dact;
        if (l > 0) memset(dx, 0, sizeof(float) * B * in);
        const float *x = l == 0 ? m->inp : m->act[l - 1];
        linear_backward(dx, m->dW[l], m->db[l], m->dpre, x, m->W[l], B, in, out);
        dact = dx;
    }
    /* END EXERCISE 2.2 */
}
