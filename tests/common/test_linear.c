// test_linear.c - linear_forward/backward against PyTorch's F.linear
// (tests/ref/gen_kernels.py), finite differences, accumulation and NULL
// gradients.
#include <criterion/criterion.h>
#include <stdlib.h>

#include "check.h"
#include "kernels/linear.h"
#include "ref.h"

// N = batch (B in linear.h), IN, OUT as in gen_kernels.py: odd on purpose.
enum { N = 3, IN = 7, OUT = 5 };

typedef struct {
    RefFile *ref;
    const float *x, *weight, *bias, *dout;   // (N, IN), (OUT, IN), (OUT), (N, OUT)
} Case;

static Case load(void) {
    Case c;
    c.ref = ref_open("kernels_linear.bin");
    c.x = ref_get(c.ref, "x", N * IN);
    c.weight = ref_get(c.ref, "weight", OUT * IN);
    c.bias = ref_get(c.ref, "bias", OUT);
    c.dout = ref_get(c.ref, "dout", N * OUT);
    return c;
}

TestSuite(linear, .timeout = 30);

Test(linear, forward_matches_pytorch) {
    Case c = load();
    float out[N * OUT];
    linear_forward(out, c.x, c.weight, c.bias, N, IN, OUT);
    check_close("linear out", out, ref_get(c.ref, "out", N * OUT), N * OUT, 1e-5f, 1e-5f);
    linear_forward(out, c.x, c.weight, NULL, N, IN, OUT);
    check_close("linear out without bias", out, ref_get(c.ref, "out_nobias", N * OUT), N * OUT,
                1e-5f, 1e-5f);
    ref_close(c.ref);
}

Test(linear, backward_matches_pytorch) {
    Case c = load();
    float dx[N * IN] = {0}, dw[OUT * IN] = {0}, db[OUT] = {0};
    linear_backward(dx, dw, db, c.dout, c.x, c.weight, N, IN, OUT);
    check_close("linear dinp", dx, ref_get(c.ref, "dx", N * IN), N * IN, 1e-5f, 1e-5f);
    check_close("linear dweight", dw, ref_get(c.ref, "dweight", OUT * IN), OUT * IN, 1e-5f, 1e-5f);
    check_close("linear dbias", db, ref_get(c.ref, "dbias", OUT), OUT, 1e-5f, 1e-5f);
    ref_close(c.ref);
}

// Called twice on buffers pre-filled with 0.5, every gradient must be
// 0.5 + 2 * grad: the backward adds, it does not overwrite.
Test(linear, backward_accumulates) {
    Case c = load();
    const float prefill = 0.5f;
    float dx[N * IN], dw[OUT * IN], db[OUT];
    float want_dx[N * IN], want_dw[OUT * IN], want_db[OUT];
    const float *rdx = ref_get(c.ref, "dx", N * IN), *rdw = ref_get(c.ref, "dweight", OUT * IN),
                *rdb = ref_get(c.ref, "dbias", OUT);
    for (int i = 0; i < N * IN; i++) dx[i] = prefill, want_dx[i] = prefill + 2 * rdx[i];
    for (int i = 0; i < OUT * IN; i++) dw[i] = prefill, want_dw[i] = prefill + 2 * rdw[i];
    for (int i = 0; i < OUT; i++) db[i] = prefill, want_db[i] = prefill + 2 * rdb[i];
    for (int k = 0; k < 2; k++) linear_backward(dx, dw, db, c.dout, c.x, c.weight, N, IN, OUT);
    check_close("accumulated dinp", dx, want_dx, N * IN, 1e-5f, 1e-5f);
    check_close("accumulated dweight", dw, want_dw, OUT * IN, 1e-5f, 1e-5f);
    check_close("accumulated dbias", db, want_db, OUT, 1e-5f, 1e-5f);
    ref_close(c.ref);
}

// The first layer of a network has no dinp; a frozen layer may want only dinp.
Test(linear, backward_skips_null_gradients) {
    Case c = load();
    float dw[OUT * IN] = {0}, dx[N * IN] = {0};
    linear_backward(NULL, dw, NULL, c.dout, c.x, c.weight, N, IN, OUT);
    check_close("dweight with NULL dinp and dbias", dw, ref_get(c.ref, "dweight", OUT * IN),
                OUT * IN, 1e-5f, 1e-5f);
    linear_backward(dx, NULL, NULL, c.dout, c.x, c.weight, N, IN, OUT);
    check_close("dinp with NULL dweight and dbias", dx, ref_get(c.ref, "dx", N * IN), N * IN,
                1e-5f, 1e-5f);
    ref_close(c.ref);
}

// f = sum(linear(x, w, b) * probe), differentiated numerically in x, w and b.
typedef struct {
    float *x, *weight, *bias;
    const float *probe;
} FdCtx;

static double linear_probe(void *p) {
    FdCtx *c = p;
    float out[N * OUT];
    linear_forward(out, c->x, c->weight, c->bias, N, IN, OUT);
    return dot_probe(out, c->probe, N * OUT);
}

Test(linear, backward_matches_finite_differences) {
    Case c = load();
    float x[N * IN], w[OUT * IN], b[OUT];
    for (int i = 0; i < N * IN; i++) x[i] = c.x[i];
    for (int i = 0; i < OUT * IN; i++) w[i] = c.weight[i];
    for (int i = 0; i < OUT; i++) b[i] = c.bias[i];
    float dx[N * IN] = {0}, dw[OUT * IN] = {0}, db[OUT] = {0};
    linear_backward(dx, dw, db, c.dout, x, w, N, IN, OUT);
    FdCtx ctx = {x, w, b, c.dout};
    check_grad_fd("linear dinp", x, dx, N * IN, linear_probe, &ctx, 1e-2f, 1e-3f, 1e-2f, 64);
    check_grad_fd("linear dweight", w, dw, OUT * IN, linear_probe, &ctx, 1e-2f, 1e-3f, 1e-2f, 64);
    check_grad_fd("linear dbias", b, db, OUT, linear_probe, &ctx, 1e-2f, 1e-3f, 1e-2f, 64);
    ref_close(c.ref);
}
