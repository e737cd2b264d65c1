// isolate_pix2pix_exercises.h - the step tests' copy of pix2pix_exercises.c
// (the Makefile's ISOLATED_RULE): exercise 5.6 runs on the library's U-Net
// and PatchGAN (common/models/unet.h, common/models/patchgan.h) and on the reference losses
// (pix2pix_ref.c), so a mistake in 5.1, 5.2, 5.4 or 5.5 costs that exercise only.
// Included before the file (EXERCISE_AT undefined) and again before each
// exercise.
#include "isolate.h"
#ifndef EXERCISE_AT
#define l05_unet_forward l05_unet_forward_isolated
#define l05_patchgan_forward l05_patchgan_forward_isolated
#define l05_receptive_field l05_receptive_field_isolated
#define l05_g_loss l05_g_loss_isolated
#define l05_d_loss l05_d_loss_isolated
#define l05_train_step l05_train_step_isolated
#include "l05_test.h"
#elif EXERCISE_AT == 506
#undef l05_unet_forward
#undef l05_patchgan_forward
#undef l05_g_loss
#undef l05_d_loss
#define l05_unet_forward unet_forward
#define l05_patchgan_forward patchgan_forward
#define l05_g_loss l05_ref_g_loss
#define l05_d_loss l05_ref_d_loss
#endif
