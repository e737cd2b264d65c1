// linear.h - the fully connected layer, y = x W^T + b (PyTorch's layout).
//
// B = batch size, IN = input features, OUT = output features.
// Backward functions ACCUMULATE (+=) into every gradient they are given and
// skip any gradient pointer that is NULL (e.g. dinp of the first layer).
#ifndef LINEAR_H
#define LINEAR_H

void linear_forward(float *out,            // (B, OUT)
                    const float *inp,      // (B, IN)
                    const float *weight,   // (OUT, IN)
                    const float *bias,     // (OUT) or NULL
                    int B, int IN, int OUT);

void linear_backward(float *dinp,          // (B, IN) or NULL
                     float *dweight,       // (OUT, IN) or NULL
                     float *dbias,         // (OUT) or NULL
                     const float *dout,    // (B, OUT)
                     const float *inp,     // (B, IN)
                     const float *weight,  // (OUT, IN)
                     int B, int IN, int OUT);

#endif
