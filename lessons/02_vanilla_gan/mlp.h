// mlp.h - a multilayer perceptron with a backward pass written by hand.
//
// B = batch size, L = number of layers, F[l] = features entering layer l
// (F[0] = input size, F[L] = output size).
//
// Layer l (0 <= l < L):
//     pre[l] = x[l] W[l]^T + b[l]        x[0] = the input, x[l] = act[l-1]
//     act[l] = f_l(pre[l])               f_l = hidden activation for l < L-1,
//                                        the output activation for l = L-1
// act[L-1] is the network's output.
//
// All parameters sit in one block, all their gradients in a block of the same
// layout: a ParamSet (common/nn/layers.h), ps.data and ps.grad. Zeroing the
// gradients is one memset, an Adam step one flat loop (common/nn/optim.h), a
// checkpoint one write. Layout: W[0], b[0], W[1], b[1], ...
#ifndef MLP_H
#define MLP_H

#include "util/error.h"
#include "nn/layers.h"
#include "util/rng.h"

#define L02_MLP_MAX_LAYERS 4

typedef enum {
    L02_ACT_NONE,         // identity: a discriminator's last layer gives a logit
    L02_ACT_RELU,
    L02_ACT_LEAKY_RELU,   // slope L02_LEAKY_SLOPE for negative inputs
    L02_ACT_TANH,         // a generator's last layer: images live in [-1, 1]
} L02MlpAct;

#define L02_LEAKY_SLOPE 0.2f

typedef struct {
    int n_layers;                      // L
    int sizes[L02_MLP_MAX_LAYERS + 1];     // F[0..L]
    L02MlpAct hidden_act, out_act;
    int max_batch;                     // buffers below hold this many rows

    ParamSet ps;                       // ps.data (ps.size) = W[0], b[0], W[1], ...
                                       // ps.grad (ps.size) = dW[0], db[0], ...
    float *W[L02_MLP_MAX_LAYERS];          // (F[l+1], F[l]) inside ps.data
    float *b[L02_MLP_MAX_LAYERS];          // (F[l+1])
    float *dW[L02_MLP_MAX_LAYERS];         // the same places in ps.grad
    float *db[L02_MLP_MAX_LAYERS];

    // What l02_mlp_forward saves for l02_mlp_backward.
    const float *inp;                  // (B, F[0]) the caller's input, by pointer:
                                       // it must stay unchanged until backward
    float *pre[L02_MLP_MAX_LAYERS];        // (B, F[l+1]) before the activation
    float *act[L02_MLP_MAX_LAYERS];        // (B, F[l+1]) after it

    // Scratch for l02_mlp_backward: two (max_batch, max F) buffers.
    float *dact, *dpre;
} L02Mlp;

// Allocates the network and draws its parameters as PyTorch's nn.Linear does:
// W and b uniform in [-1/sqrt(F[l]), 1/sqrt(F[l])]. sizes has n_layers + 1
// entries. name prefixes the parameter names ("g" gives g.W0, g.b0, ...).
int l02_mlp_init(L02Mlp *m, const char *name, const int *sizes, int n_layers, L02MlpAct hidden_act,
                 L02MlpAct out_act, int max_batch, Rng *rng, Error *err);
void l02_mlp_free(L02Mlp *m);
void l02_mlp_zero_grad(L02Mlp *m);

// Exercise 2.1 (mlp_exercises.c). Runs the network on inp (B, F[0]), saves inp (by
// pointer), pre and act for the backward pass, and returns act[L-1] (B, F[L]),
// which stays valid until the next l02_mlp_forward on m.
const float *l02_mlp_forward(L02Mlp *m, const float *inp, int B);

// Exercise 2.2 (mlp_exercises.c). Given dout (B, F[L]) = dLoss/d(output) for the LAST
// forward pass, ACCUMULATES (+=) dLoss/dW[l] into dW[l], dLoss/db[l] into
// db[l], and dLoss/d(inp) into dinp (B, F[0]) unless dinp is NULL.
void l02_mlp_backward(L02Mlp *m, float *dinp, const float *dout, int B);

#endif
