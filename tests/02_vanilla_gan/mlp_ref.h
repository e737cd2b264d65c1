// mlp_ref.h - helpers shared by lesson 02's tests: load reference weights
// into an L02Mlp, and set parameters to known values.
#ifndef MLP_REF_H
#define MLP_REF_H

#include "mlp.h"
#include "ref.h"

// Builds m with the given shape and copies W0, b0, W1, ... (names prefixed
// by prefix) from the reference file into it.
void mlp_build_from_ref(L02Mlp *m, const RefFile *ref, const char *prefix, const int *sizes,
                        int n_layers, L02MlpAct hidden_act, L02MlpAct out_act, int max_batch);

// Concatenates W0, b0, W1, ... of the reference (names prefixed) in the L02Mlp
// parameter layout into out (n_params floats), e.g. for a gradient block.
void mlp_ref_block(float *out, const RefFile *ref, const char *prefix, const L02Mlp *m);

// The reference forward and backward passes (exercises 2.1 and 2.2 as mlp.h
// describes them, on the library's kernels): 2.2's tests run the student's
// backward after this forward, and 2.3/2.4's steps run on these
// (isolate_gan_exercises.h), so each exercise is charged for its own mistakes only.
const float *mlp_ref_forward(L02Mlp *m, const float *inp, int B);
void mlp_ref_backward(L02Mlp *m, float *dinp, const float *dout, int B);

#endif
