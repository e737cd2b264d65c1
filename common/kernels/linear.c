// linear.c - the fully connected layer, y = x W^T + b, on top of gemm().
//
// B = batch size, IN = input features, OUT = output features.
#include "kernels/linear.h"

#include "util/error.h"
#include "kernels/gemm.h"

void linear_forward(float *out,            // (B, OUT)
                    const float *inp,      // (B, IN)
                    const float *weight,   // (OUT, IN)
                    const float *bias,     // (OUT) or NULL
                    int B, int IN, int OUT) {
    if (!out || !inp || !weight)
        error_abort("linear_forward: %s is NULL (B %d, IN %d, OUT %d)",
                    !out ? "out" : !inp ? "inp" : "weight", B, IN, OUT);
    // out (B, OUT) = inp (B, IN) @ weight^T (IN, OUT); beta = 0 overwrites out
    gemm(0, 1, B, OUT, IN, 1.0f, inp, IN, weight, IN, 0.0f, out, OUT);
    if (!bias) return;
    for (int b = 0; b < B; b++)
        for (int o = 0; o < OUT; o++) out[b * OUT + o] += bias[o];
}

void linear_backward(float *dinp,          // (B, IN) or NULL
                     float *dweight,       // (OUT, IN) or NULL
                     float *dbias,         // (OUT) or NULL
                     const float *dout,    // (B, OUT)
                     const float *inp,     // (B, IN)
                     const float *weight,  // (OUT, IN)
                     int B, int IN, int OUT) {
    if (!dout || (dinp && !weight))
        error_abort("linear_backward: %s is NULL (B %d, IN %d, OUT %d)", !dout ? "dout" : "weight",
                    B, IN, OUT);
    if (dweight && !inp)
        error_abort("linear_backward: inp is NULL: dweight needs the input (B %d, IN %d) of the "
                    "forward pass, which the caller must keep", B, IN);
    // beta = 1 in both products: gradients accumulate into what is there
    if (dinp)   // dinp (B, IN) += dout (B, OUT) @ weight (OUT, IN)
        gemm(0, 0, B, IN, OUT, 1.0f, dout, OUT, weight, IN, 1.0f, dinp, IN);
    if (dweight)   // dweight (OUT, IN) += dout^T (OUT, B) @ inp (B, IN)
        gemm(1, 0, OUT, IN, B, 1.0f, dout, OUT, inp, IN, 1.0f, dweight, IN);
    if (dbias)   // the bias was added to every row, so its gradient sums the rows
        for (int b = 0; b < B; b++)
            for (int o = 0; o < OUT; o++) dbias[o] += dout[b * OUT + o];
}
