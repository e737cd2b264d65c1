// losses.h - the losses of the course, each the MEAN over n elements.
// Forward returns the loss. Backward accumulates dloss * d(loss)/d(input)
// into its gradient (dloss is the gradient flowing into the scalar loss,
// 1.0 when the loss is the final objective).
#ifndef LOSSES_H
#define LOSSES_H

// Binary cross-entropy on logits x with targets y in [0, 1]:
// loss = mean( max(x,0) - x*y + log(1 + exp(-|x|)) ), stable for any |x|.
float bce_with_logits_forward(const float *logits, const float *targets, int n);
void bce_with_logits_backward(float *dlogits, const float *logits, const float *targets,
                              float dloss, int n);

// Mean squared error: mean( (a - b)^2 ). Gradient for a only (b is a target).
float mse_forward(const float *a, const float *b, int n);
void mse_backward(float *da, const float *a, const float *b, float dloss, int n);

// Mean absolute error: mean( |a - b| ). Gradient sign(a - b), 0 where equal.
float l1_forward(const float *a, const float *b, int n);
void l1_backward(float *da, const float *a, const float *b, float dloss, int n);

#endif
