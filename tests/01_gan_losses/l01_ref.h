// l01_ref.h - the reference BCE on logits (exercises 1.1 and 1.2 as
// losses.h describes them), and the student's exercises 1.3-1.12 as the
// tests call them: the same code, with every call to l01_bce_forward or
// l01_bce_backward going to these references (isolate_losses_exercises.h).
#ifndef L01_REF_H
#define L01_REF_H

float l01_ref_bce_forward(const float *logits, float target, int n);
void l01_ref_bce_backward(float *dlogits, const float *logits, float target, float dloss, int n);

float l01_d_loss_forward_isolated(const float *real_logits, const float *fake_logits, int n);
void l01_d_loss_backward_isolated(float *dreal, float *dfake, const float *real_logits,
                                  const float *fake_logits, float dloss, int n);
float l01_g_loss_saturating_forward_isolated(const float *fake_logits, int n);
void l01_g_loss_saturating_backward_isolated(float *dfake, const float *fake_logits, float dloss,
                                             int n);
float l01_g_loss_forward_isolated(const float *fake_logits, int n);
void l01_g_loss_backward_isolated(float *dfake, const float *fake_logits, float dloss, int n);
float l01_lsgan_d_loss_forward_isolated(const float *real_scores, const float *fake_scores, int n);
void l01_lsgan_d_loss_backward_isolated(float *dreal, float *dfake, const float *real_scores,
                                        const float *fake_scores, float dloss, int n);
float l01_lsgan_g_loss_forward_isolated(const float *fake_scores, int n);
void l01_lsgan_g_loss_backward_isolated(float *dfake, const float *fake_scores, float dloss, int n);

#endif
