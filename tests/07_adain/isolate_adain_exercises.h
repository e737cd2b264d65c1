// isolate_adain_exercises.h - the tests' copy of adain_exercises.c (the
// Makefile's ISOLATED_RULE): exercise 7.2 runs on the reference statistics
// and 7.5 on the reference AdaIN and losses (l07_ref.c), so that a mistake in
// 7.1-7.4 costs that exercise only. Included before the file (EXERCISE_AT
// undefined) and again before each exercise.
#include "isolate.h"
#ifndef EXERCISE_AT
#define adain_mean_std adain_mean_std_isolated
#define adain_forward adain_forward_isolated
#define adain_backward adain_backward_isolated
#define adain_content_loss adain_content_loss_isolated
#define adain_style_loss adain_style_loss_isolated
#define adain_train_step adain_train_step_isolated
#define adain_blend adain_blend_isolated
#include "l07_test.h"
#elif EXERCISE_AT == 702
#undef adain_mean_std
#define adain_mean_std l07_ref_mean_std
#elif EXERCISE_AT == 705
#undef adain_forward
#undef adain_content_loss
#undef adain_style_loss
#define adain_forward l07_ref_adain_forward
#define adain_content_loss l07_ref_content_loss
#define adain_style_loss l07_ref_style_loss
#endif
