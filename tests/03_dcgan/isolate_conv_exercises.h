// isolate_conv_exercises.h - the convolution tests' copy of conv_exercises.c
// (the Makefile's ISOLATED_RULE): from exercise 3.3 on, l03_im2col and
// l03_col2im are the library's im2col and col2im (common/kernels/conv.h), so a
// mistake in 3.1 or 3.2 costs those exercises only. Included before the file
// (EXERCISE_AT undefined) and again before each exercise.
#include "isolate.h"
#ifndef EXERCISE_AT
#define l03_im2col l03_im2col_isolated
#define l03_col2im l03_col2im_isolated
#define l03_conv2d_forward l03_conv2d_forward_isolated
#define l03_conv2d_backward l03_conv2d_backward_isolated
#define l03_conv_transpose2d_forward l03_conv_transpose2d_forward_isolated
#define l03_conv_transpose2d_backward l03_conv_transpose2d_backward_isolated
#elif EXERCISE_AT == 303
#undef l03_im2col
#undef l03_col2im
#define l03_im2col im2col
#define l03_col2im col2im
#endif
