// isolate_cyclegan_exercises.h - the step tests' copy of cyclegan_exercises.c
// (the Makefile's ISOLATED_RULE): exercise 6.5 runs on the library's
// residual block and the reference identity loss, 6.6 on the reference
// image pool (cg_ref.c), so a mistake in 6.2, 6.3 or 6.4 costs that
// exercise only. Included before the file (EXERCISE_AT undefined) and again
// before each exercise.
#include "isolate.h"
#ifndef EXERCISE_AT
#define cg_cycle_loss_forward cg_cycle_loss_forward_isolated
#define cg_cycle_loss_backward cg_cycle_loss_backward_isolated
#define cg_identity_loss cg_identity_loss_isolated
#define cg_resblock_forward cg_resblock_forward_isolated
#define cg_pool_query cg_pool_query_isolated
#define cg_g_step cg_g_step_isolated
#define cg_d_step cg_d_step_isolated
#include "l06_test.h"
#elif EXERCISE_AT == 605
#undef cg_identity_loss
#define cg_identity_loss cg_ref_identity_loss
#define cg_generator cg_ref_generator
#elif EXERCISE_AT == 606
#undef cg_pool_query
#define cg_pool_query cg_ref_pool_query
#endif
