// isolate_pix2pix_exercises.h - the step tests' copy of pix2pix_exercises.c
// (the Makefile's ISOLATED_RULE): exercise 5.6 runs on the library's U-Net
// and PatchGAN (common/models/unet.h, common/models/patchgan.h) and on the reference losses
// (p2p_ref.c), so a mistake in 5.1, 5.2, 5.4 or 5.5 costs that exercise only.
// Included before the file (EXERCISE_AT undefined) and again before each
// exercise.
#include "isolate.h"
#ifndef EXERCISE_AT
#define p2p_unet_forward p2p_unet_forward_isolated
#define p2p_patchgan_forward p2p_patchgan_forward_isolated
#define p2p_receptive_field p2p_receptive_field_isolated
#define p2p_g_loss p2p_g_loss_isolated
#define p2p_d_loss p2p_d_loss_isolated
#define p2p_train_step p2p_train_step_isolated
#include "l05_test.h"
#elif EXERCISE_AT == 506
#undef p2p_unet_forward
#undef p2p_patchgan_forward
#undef p2p_g_loss
#undef p2p_d_loss
#define p2p_unet_forward unet_forward
#define p2p_patchgan_forward patchgan_forward
#define p2p_g_loss p2p_ref_g_loss
#define p2p_d_loss p2p_ref_d_loss
#endif
