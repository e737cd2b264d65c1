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

#define MLP_MAX_LAYERS 4

typedef enum {
    MLP_ACT_NONE,         // identity: a discriminator's last layer gives a logit
    MLP_ACT_RELU,
    MLP_ACT_LEAKY_RELU,   // slope MLP_LEAKY_SLOPE for negative inputs
    MLP_ACT_TANH,         // a generator's last layer: images live in [-1, 1]
} MlpAct;

#define MLP_LEAKY_SLOPE 0.2f

typedef struct {
    int n_layers;                      // L
    int sizes[MLP_MAX_LAYERS + 1];     // F[0..L]
    MlpAct hidden_act, out_act;
    int max_batch;                     // buffers below hold this many rows

    ParamSet ps;                       // ps.data (ps.size) = W[0], b[0], W[1], ...
                                       // ps.grad (ps.size) = dW[0], db[0], ...
    float *W[MLP_MAX_LAYERS];          // (F[l+1], F[l]) inside ps.data
    float *b[MLP_MAX_LAYERS];          // (F[l+1])
    float *dW[MLP_MAX_LAYERS];         // the same places in ps.grad
    float *db[MLP_MAX_LAYERS];

    // What mlp_forward saves for mlp_backward.
    const float *inp;                  // (B, F[0]) the caller's input, by pointer:
                                       // it must stay unchanged until backward
    float *pre[MLP_MAX_LAYERS];        // (B, F[l+1]) before the activation
    float *act[MLP_MAX_LAYERS];        // (B, F[l+1]) after it

    // Scratch for mlp_backward: two (max_batch, max F) buffers.
    float *dact, *dpre;
} Mlp;

// Allocates the network and draws its parameters as PyTorch's nn.Linear does:
// W and b uniform in [-1/sqrt(F[l]), 1/sqrt(F[l])]. sizes has n_layers + 1
// entries. name prefixes the parameter names ("g" gives g.W0, g.b0, ...).
int mlp_build(Mlp *m, const char *name, const int *sizes, int n_layers, MlpAct hidden_act,
              MlpAct out_act, int max_batch, Rng *rng, Error *err);
void mlp_free(Mlp *m);
void mlp_zero_grad(Mlp *m);

// Exercise 2.1 (mlp.c). Runs the network on inp (B, F[0]), saves inp (by
// pointer), pre and act for the backward pass, and returns act[L-1] (B, F[L]),
// which stays valid until the next mlp_forward on m.
const float *mlp_forward(Mlp *m, const float *inp, int B);

// Exercise 2.2 (mlp.c). Given dout (B, F[L]) = dLoss/d(output) for the LAST
// forward pass, ACCUMULATES (+=) dLoss/dW[l] into dW[l], dLoss/db[l] into
// db[l], and dLoss/d(inp) into dinp (B, F[0]) unless dinp is NULL.
void mlp_backward(Mlp *m, float *dinp, const float *dout, int B);

#endif
