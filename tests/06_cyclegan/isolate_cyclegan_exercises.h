// isolate_cyclegan_exercises.h - the step tests' copy of cyclegan_exercises.c
// (the Makefile's ISOLATED_RULE): exercise 6.5 runs on the library's
// residual block and the reference identity loss, 6.6 on the reference
// image pool (cyclegan_ref.c), so a mistake in 6.2, 6.3 or 6.4 costs that
// exercise only. Included before the file (EXERCISE_AT undefined) and again
// before each exercise.
#include "isolate.h"
#ifndef EXERCISE_AT
#define l06_cycle_loss_forward l06_cycle_loss_forward_isolated
#define l06_cycle_loss_backward l06_cycle_loss_backward_isolated
#define l06_identity_loss l06_identity_loss_isolated
#define l06_resblock_forward l06_resblock_forward_isolated
#define l06_pool_query l06_pool_query_isolated
#define l06_g_step l06_g_step_isolated
#define l06_d_step l06_d_step_isolated
#include "l06_test.h"
#elif EXERCISE_AT == 605
#undef l06_identity_loss
#define l06_identity_loss l06_ref_identity_loss
#define l06_generator l06_ref_generator
#elif EXERCISE_AT == 606
#undef l06_pool_query
#define l06_pool_query l06_ref_pool_query
#endif
