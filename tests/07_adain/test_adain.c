// test_adain.c - exercise 7.2: AdaIN's forward and backward for one sample,
// against PyTorch's autograd (tests/ref/gen_lesson07.py,
// data/lesson07_adain.bin) and against finite differences. They run on the
// isolated copy (isolate_adain_exercises.h): the reference statistics, so a
// mistake in 7.1 does not cost 7.2.
#include <stdlib.h>

#include "l07_test.h"

TestSuite(l07_adain, .timeout = 10);

enum { C = 3, N = 6, M = 10 };   // content 2x3, style 2x5

Test(l07_adain, forward_matches_pytorch) {
    RefFile *ref = ref_open("lesson07_adain.bin");
    float out[C * N];
    adain_forward_isolated(out, ref_get(ref, "x", C * N), N, ref_get(ref, "y", C * M), M, C, 1e-5f);
    check_close("AdaIN(x, y) = std_y (x - mean_x) / std_x + mean_y (content 2x3, style 2x5)",
                out, ref_get(ref, "out", C * N), C * N, L07_ATOL, L07_RTOL);
    ref_close(ref);
}

Test(l07_adain, backward_matches_pytorch) {
    RefFile *ref = ref_open("lesson07_adain.bin");
    float dx[C * N], dy[C * M];
    for (int i = 0; i < C * N; i++) dx[i] = 99.0f;   // overwritten, not accumulated
    for (int i = 0; i < C * M; i++) dy[i] = 99.0f;
    adain_backward_isolated(dx, dy, ref_get(ref, "probe", C * N), ref_get(ref, "x", C * N), N,
                            ref_get(ref, "y", C * M), M, C, 1e-5f);
    check_close("dL/dx (the content's gradient, through its mean and std too)", dx,
                ref_get(ref, "dx", C * N), C * N, L07_ATOL, L07_RTOL);
    check_close("dL/dy (the style's gradient: through its mean and its std only)", dy,
                ref_get(ref, "dy", C * M), C * M, L07_ATOL, L07_RTOL);
    ref_close(ref);
}

typedef struct {
    float *x, *y;
    const float *probe;
} FdCtx;

static double probe_loss(void *ctx) {
    FdCtx *c = ctx;
    float out[C * N];
    adain_forward_isolated(out, c->x, N, c->y, M, C, 1e-5f);
    return dot_probe(out, c->probe, C * N);
}

Test(l07_adain, backward_matches_finite_differences) {
    RefFile *ref = ref_open("lesson07_adain.bin");
    float x[C * N], y[C * M], dx[C * N], dy[C * M];
    memcpy(x, ref_get(ref, "x", C * N), sizeof x);
    memcpy(y, ref_get(ref, "y", C * M), sizeof y);
    FdCtx ctx = {x, y, ref_get(ref, "probe", C * N)};
    adain_backward_isolated(dx, dy, ctx.probe, x, N, y, M, C, 1e-5f);
    check_grad_fd("dL/dx against central differences of your forward", x, dx, C * N, probe_loss,
                  &ctx, 1e-2f, 2e-3f, 2e-2f, C * N);
    check_grad_fd("dL/dy against central differences of your forward", y, dy, C * M, probe_loss,
                  &ctx, 1e-2f, 2e-3f, 2e-2f, C * M);
    ref_close(ref);
}

Test(l07_adain, adain_of_x_with_itself_is_x) {
    RefFile *ref = ref_open("lesson07_adain.bin");
    const float *x = ref_get(ref, "x", C * N);
    float out[C * N];
    adain_forward_isolated(out, x, N, x, N, C, 1e-5f);
    check_close("AdaIN(x, x) = x (alpha 0's content features come back)", out, x, C * N, 1e-5f,
                1e-5f);
    ref_close(ref);
}
