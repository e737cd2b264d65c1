// isolate_gan_losses.h - the tests' copy of gan_losses.c (the Makefile's
// ISOLATED_RULE): from exercise 1.3 on, gan_bce_forward and gan_bce_backward
// are the references of l01_ref.c, so a D or G loss built on BCE is not
// charged for a mistake in 1.1 or 1.2. Included before the file
// (EXERCISE_AT undefined) and again before each exercise.
#include "isolate.h"
#ifndef EXERCISE_AT
#define gan_bce_forward gan_bce_forward_isolated
#define gan_bce_backward gan_bce_backward_isolated
#define gan_d_loss_forward gan_d_loss_forward_isolated
#define gan_d_loss_backward gan_d_loss_backward_isolated
#define gan_g_loss_saturating_forward gan_g_loss_saturating_forward_isolated
#define gan_g_loss_saturating_backward gan_g_loss_saturating_backward_isolated
#define gan_g_loss_forward gan_g_loss_forward_isolated
#define gan_g_loss_backward gan_g_loss_backward_isolated
#define lsgan_d_loss_forward lsgan_d_loss_forward_isolated
#define lsgan_d_loss_backward lsgan_d_loss_backward_isolated
#define lsgan_g_loss_forward lsgan_g_loss_forward_isolated
#define lsgan_g_loss_backward lsgan_g_loss_backward_isolated
#include "l01_ref.h"
#elif EXERCISE_AT == 103
#undef gan_bce_forward
#undef gan_bce_backward
#define gan_bce_forward l01_ref_bce_forward
#define gan_bce_backward l01_ref_bce_backward
#endif
