// isolate_losses_exercises.h - the tests' copy of losses_exercises.c (the Makefile's
// ISOLATED_RULE): from exercise 1.3 on, l01_bce_forward and l01_bce_backward
// are the references of l01_ref.c, so a D or G loss built on BCE is not
// charged for a mistake in 1.1 or 1.2. Included before the file
// (EXERCISE_AT undefined) and again before each exercise.
#include "isolate.h"
#ifndef EXERCISE_AT
#define l01_bce_forward l01_bce_forward_isolated
#define l01_bce_backward l01_bce_backward_isolated
#define l01_d_loss_forward l01_d_loss_forward_isolated
#define l01_d_loss_backward l01_d_loss_backward_isolated
#define l01_g_loss_saturating_forward l01_g_loss_saturating_forward_isolated
#define l01_g_loss_saturating_backward l01_g_loss_saturating_backward_isolated
#define l01_g_loss_forward l01_g_loss_forward_isolated
#define l01_g_loss_backward l01_g_loss_backward_isolated
#define l01_lsgan_d_loss_forward l01_lsgan_d_loss_forward_isolated
#define l01_lsgan_d_loss_backward l01_lsgan_d_loss_backward_isolated
#define l01_lsgan_g_loss_forward l01_lsgan_g_loss_forward_isolated
#define l01_lsgan_g_loss_backward l01_lsgan_g_loss_backward_isolated
#include "l01_ref.h"
#elif EXERCISE_AT == 103
#undef l01_bce_forward
#undef l01_bce_backward
#define l01_bce_forward l01_ref_bce_forward
#define l01_bce_backward l01_ref_bce_backward
#endif
