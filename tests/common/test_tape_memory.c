// test_tape_memory.c - the tape's memory: gradients of large op outputs
// from the pool (the same gradients as before, handed back once passed on,
// reused from step to step) and tape_release() of no_grad work.
#include <criterion/criterion.h>
#include <math.h>
#include <signal.h>
#include <string.h>

#include "check.h"
#include "autograd/tape.h"

TestSuite(tape_memory, .timeout = 60);

// Larger than TAPE_EAGER_GRAD, so its op outputs take pooled gradients.
#define N 3000

static int pool_in_use(const Tape *tp) {
    int n = 0;
    for (int i = 0; i < tp->n_pool; i++) n += tp->pool[i].used;
    return n;
}

// loss = mean(|2 tanh(x) - 0|) over the second half of x seen through a
// reshape and a slice, + mean(|tanh(x)|): tanh(x) is used twice.
static Tensor *chain_loss(Tape *tp, Tensor *x, Tensor **th) {
    *th = tape_tanh(tp, x);
    Tensor *half = tensor_slice(tp, tensor_reshape(tp, *th, 2, (int[]){2, N / 2}), 1, 1);
    Tensor *zero_half = tape_tensor(tp, 2, (int[]){1, N / 2}, 0);
    Tensor *zero = tape_tensor(tp, 1, (int[]){N}, 0);
    return tape_add(tp, tape_l1(tp, tape_scale(tp, half, 2.0f), zero_half),
                    tape_l1(tp, *th, zero));
}

// d loss / dx_i = (1 - tanh^2) sign(tanh) (2 / (N/2) on the second half + 1 / N)
static void chain_grad(float *want, const float *x) {
    for (int i = 0; i < N; i++) {
        float t = tanhf(x[i]);
        float s = (t > 0) - (t < 0);
        want[i] = (1 - t * t) * s * ((i >= N / 2 ? 2.0f / (N / 2) : 0.0f) + 1.0f / N);
    }
}

Test(tape_memory, pooled_gradients_through_views_and_two_uses_are_right) {
    Tape tp;
    tape_init(&tp);
    Tensor *x = tape_tensor(&tp, 1, (int[]){N}, 1);
    for (int i = 0; i < N; i++) x->data[i] = 0.001f * (i % 997) - 0.4f;
    Tensor *th;
    Tensor *loss = chain_loss(&tp, x, &th);
    cr_assert(th->grad == NULL, "a large op output got its gradient before backward");
    tape_backward(&tp, loss);
    static float want[N];
    chain_grad(want, x->data);
    check_close("x.grad through pooled gradients", x->grad, want, N, 1e-7f, 1e-5f);
    cr_assert(th->grad == NULL, "the pooled gradient was not handed back after backward");
    cr_assert_eq(pool_in_use(&tp), 0, "%d pool buffers still in use after backward",
                 pool_in_use(&tp));
    tape_free(&tp);
}

Test(tape_memory, second_backward_on_pooled_gradients_adds_only_its_own) {
    Tape tp;
    tape_init(&tp);
    Tensor *x = tape_tensor(&tp, 1, (int[]){N}, 1);
    for (int i = 0; i < N; i++) x->data[i] = 0.002f * (i % 499) - 0.5f;
    Tensor *th;
    Tensor *loss = chain_loss(&tp, x, &th);
    tape_backward(&tp, loss);
    tape_backward(&tp, loss);
    static float want[N];
    chain_grad(want, x->data);
    for (int i = 0; i < N; i++) want[i] *= 2;
    check_close("x.grad after two passes: twice one pass", x->grad, want, N, 1e-7f, 1e-5f);
    tape_free(&tp);
}

Test(tape_memory, pool_stops_growing_after_the_first_step) {
    Tape tp;
    tape_init(&tp);
    int pool_after_first = 0;
    for (int step = 0; step < 3; step++) {
        tape_reset(&tp);
        Tensor *x = tape_tensor(&tp, 1, (int[]){N}, 1);
        for (int i = 0; i < N; i++) x->data[i] = 0.01f * (i % 50) - 0.25f;
        Tensor *th;
        tape_backward(&tp, chain_loss(&tp, x, &th));
        if (step == 0) pool_after_first = tp.n_pool;
    }
    cr_assert_eq(tp.n_pool, pool_after_first, "the pool grew from %d to %d buffers after the "
                 "first step", pool_after_first, tp.n_pool);
    // tanh's grad, its scale's and add's inputs: fewer buffers than outputs.
    cr_assert(tp.n_pool < 4, "the pool holds %d buffers: gradients are not reused", tp.n_pool);
    tape_free(&tp);
}

// ---------------------------------------------------------------- tape_release

// 800 KB a tensor: three outgrow the arena's first block (1 MB), so the
// first step releases across blocks, the later ones within one.
#define M 200000

// A no_grad "network": three large outputs, the last two kept.
static void three_outputs(Tape *tp, Tensor *x, Tensor **mid, Tensor **out) {
    Tensor *a = tape_scale(tp, x, 2.0f);
    *mid = tape_tanh(tp, a);
    *out = tape_scale(tp, *mid, 3.0f);
}

static float input_value(int i) {
    return 1e-5f * i - 1.0f;
}

static void check_kept(Tensor *mid, Tensor *out) {
    cr_assert(mid->op == OP_LEAF && mid->node == -1 && mid->grad == NULL && !mid->requires_grad &&
              mid->src[0] == NULL, "a kept tensor is not a plain leaf");
    cr_assert(mid->ndim == 1 && mid->shape[0] == M && mid->size == M, "a kept tensor's shape");
    for (int i = 0; i < M; i++) {
        float want = tanhf(2.0f * input_value(i));
        if (mid->data[i] != want || out->data[i] != 3.0f * want)
            cr_assert_fail("kept mid[%d], out[%d] = %g, %g; want %g, %g", i, i, mid->data[i],
                           out->data[i], want, 3.0f * want);
    }
}

static Tensor *input(Tape *tp, int requires_grad) {
    Tensor *x = tape_tensor(tp, 1, (int[]){M}, requires_grad);
    for (int i = 0; i < M; i++) x->data[i] = input_value(i);
    return x;
}

Test(tape_memory, release_keeps_the_asked_tensors_and_reuses_the_rest) {
    Tape tp;
    tape_init(&tp);
    const size_t bytes = sizeof(float) * M;
    for (int step = 0; step < 3; step++) {
        tape_reset(&tp);
        Tensor *x = input(&tp, 0);
        int was = tape_set_no_grad(&tp, 1);
        TapeMark m = tape_mark(&tp);
        Tensor *mid, *out;
        three_outputs(&tp, x, &mid, &out);
        if (step == 0) cr_assert(tp.n_old > 0, "the first step did not outgrow the first block");
        size_t live = tp.live;
        Tensor *keep[2] = {out, mid};   // not in creation order
        tape_release(&tp, m, keep, 2);
        tape_set_no_grad(&tp, was);
        check_kept(keep[1], keep[0]);
        cr_assert(tp.live + bytes <= live, "step %d: release gave back %zu bytes, not one "
                  "tensor's %zu", step, live - tp.live, bytes);
        // Made now, in the released tensor's place: the step needs room for
        // four tensors at most, and after the first step it has one block.
        Tensor *next = input(&tp, 0);
        (void)next;
        if (step > 0) cr_assert_eq(tp.n_old, 0, "step %d needed a second block", step);
    }
    cr_assert(tp.cap < 4 * bytes + 8192, "the arena is %zu bytes for a peak of 4 tensors of %zu",
              tp.cap, bytes);
    tape_free(&tp);
}

Test(tape_memory, release_then_training_gives_the_same_gradient) {
    Tape tp;
    tape_init(&tp);
    static float first[M];
    for (int step = 0; step < 2; step++) {
        tape_reset(&tp);
        Tensor *x = input(&tp, 0);
        Tensor *w = tape_tensor(&tp, 1, (int[]){M}, 1);
        for (int i = 0; i < M; i++) w->data[i] = 0.5f;
        Tensor *mid, *out;
        if (step == 1) {   // the same features, made under no_grad and released
            int was = tape_set_no_grad(&tp, 1);
            TapeMark m = tape_mark(&tp);
            three_outputs(&tp, x, &mid, &out);
            tape_release(&tp, m, &out, 1);
            tape_set_no_grad(&tp, was);
        } else {
            three_outputs(&tp, x, &mid, &out);
        }
        Tensor *loss = tape_mse(&tp, tape_tanh(&tp, tape_add(&tp, out, w)),
                                tape_tensor(&tp, 1, (int[]){M}, 0));
        tape_backward(&tp, loss);
        cr_assert(fabsf(w->grad[0]) > 0.0f, "no gradient reached w");
        if (step == 0) memcpy(first, w->grad, sizeof first);
        else check_close("w.grad with released features", w->grad, first, M, 0.0f, 0.0f);
    }
    tape_free(&tp);
}

Test(tape_memory, release_refuses_recorded_work, .signal = SIGABRT) {
    Tape tp;
    tape_init(&tp);
    Tensor *x = tape_tensor(&tp, 1, (int[]){N}, 1);
    TapeMark m = tape_mark(&tp);
    Tensor *y = tape_tanh(&tp, x);   // recorded: backward would need it
    tape_release(&tp, m, &y, 1);
}
