// isolate_gan_exercises.h - the step tests' copy of gan_exercises.c (the Makefile's
// ISOLATED_RULE): exercises 2.3 and 2.4 call the reference MLP (mlp_ref.c)
// instead of the student's 2.1 and 2.2, so a mistake there costs 2.1 or 2.2
// only. Included before the file (EXERCISE_AT undefined) and again before
// each exercise; only the first inclusion has work to do.
#include "isolate.h"
#ifndef EXERCISE_AT
#define l02_d_step l02_d_step_isolated
#define l02_g_step l02_g_step_isolated
#define l02_mlp_forward mlp_ref_forward
#define l02_mlp_backward mlp_ref_backward
#include "mlp_ref.h"
#endif
