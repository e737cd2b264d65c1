// activations.h - element-wise non-linearities over n floats.
// Backward functions accumulate (+=) into dinp. Each backward takes what its
// derivative is cheapest to compute from: the input for ReLU/LeakyReLU, the
// output for tanh and sigmoid (tanh' = 1 - y^2, sigmoid' = y (1 - y)).
#ifndef ACTIVATIONS_H
#define ACTIVATIONS_H

void relu_forward(float *out, const float *inp, int n);
void relu_backward(float *dinp, const float *inp, const float *dout, int n);

void leaky_relu_forward(float *out, const float *inp, float slope, int n);
void leaky_relu_backward(float *dinp, const float *inp, const float *dout, float slope, int n);

void tanh_forward(float *out, const float *inp, int n);
void tanh_backward(float *dinp, const float *out, const float *dout, int n);

void sigmoid_forward(float *out, const float *inp, int n);
void sigmoid_backward(float *dinp, const float *out, const float *dout, int n);

#endif
