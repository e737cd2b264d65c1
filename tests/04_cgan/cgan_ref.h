// cgan_ref.h - the tiny cGAN of tests/ref/gen_lesson04.py, built with the
// reference's initial weights, and the helpers lesson 04's tests share.
#ifndef CGAN_REF_H
#define CGAN_REF_H

#include "cgan.h"
#include "ref.h"

// B = 6, Z = 3, K = 4 classes, 3x3 images (X = 9)
enum { RB = 6, RZ = 3, RK = 4, RH = 3, RW = 3, RX = RH * RW };
#define CGAN_REF_FILE "lesson04_cgan.bin"

// float32 nets against float64 references
#define CGAN_ATOL 1e-5f
#define CGAN_RTOL 1e-4f

// Builds the reference cGAN (its config, Adam settings and initial weights).
void cgan_ref_build(L04Cgan *gan, const RefFile *ref);
// The labels stored under name (n of them, as floats) as ints in out.
void cgan_ref_labels(int *out, const RefFile *ref, const char *name, int n);
// A tensor on gan's tape holding a copy of data (no gradient).
Tensor *cgan_ref_input(L04Cgan *gan, const float *data, int ndim, const int *shape);
// sum(out * probe) as a 1-element tensor on the tape: its gradient w.r.t. out is probe.
Tensor *cgan_ref_probe_loss(L04Cgan *gan, Tensor *out, const float *probe);

// The reference networks (exercises 4.1 and 4.2 as cgan.h describes them):
// the step tests run 4.3 and 4.4 on these (isolate_cgan_exercises.h).
Tensor *cgan_ref_generator_forward(L04Cgan *gan, Tensor *z, const int *labels);
Tensor *cgan_ref_discriminator_forward(L04Cgan *gan, Tensor *x, const int *labels);

// The student's steps as the step tests see them: the same code, calling the
// reference networks above.
float l04_d_step_isolated(L04Cgan *gan, float *d_real, float *d_fake, const float *real,
                          const int *real_labels, const float *z, const int *fake_labels, int B);
float l04_g_step_isolated(L04Cgan *gan, const float *z, const int *labels, int B);

#endif
