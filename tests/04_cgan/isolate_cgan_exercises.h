// isolate_cgan_exercises.h - the step tests' copy of cgan_exercises.c (the
// Makefile's ISOLATED_RULE): exercises 4.3 and 4.4 run on the reference
// networks (cgan_ref.c), so a mistake in 4.1 or 4.2 costs those exercises
// only. No include guard: the copy includes it once before everything and
// again before each exercise, with EXERCISE_AT = 100 * lesson + exercise.
#include "isolate.h"
#ifndef EXERCISE_AT
#define l04_generator_forward l04_generator_forward_isolated
#define l04_discriminator_forward l04_discriminator_forward_isolated
#define l04_d_step l04_d_step_isolated
#define l04_g_step l04_g_step_isolated
#include "cgan_ref.h"
#elif EXERCISE_AT == 403
#undef l04_generator_forward
#undef l04_discriminator_forward
#define l04_generator_forward cgan_ref_generator_forward
#define l04_discriminator_forward cgan_ref_discriminator_forward
#endif
