// tensor.c - the tape's arena, leaf tensors and views.
#include "tensor.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif

// 64 bytes: a cache line, and enough for any SIMD load the kernels do.
#define ARENA_ALIGN 64
#define ARENA_FIRST_BLOCK (1u << 20)

_Noreturn void tensor_fail(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "tensor error: ");
    vfprintf(stderr, fmt, ap);
    fprintf(stderr, "\n");
    va_end(ap);
    fflush(stderr);
    abort();
}

static void *xmalloc(size_t bytes) {
    void *p = NULL;
    if (posix_memalign(&p, ARENA_ALIGN, bytes ? bytes : ARENA_ALIGN) != 0)
        tensor_fail("out of memory allocating %zu bytes", bytes);
    return p;
}

void tape_init(Tape *tp) {
    memset(tp, 0, sizeof *tp);
}

void tape_free(Tape *tp) {
    for (int i = 0; i < tp->n_old; i++) free(tp->old[i]);
    free(tp->old);
    free(tp->block);
    free(tp->nodes);
    free(tp->scratch);
    memset(tp, 0, sizeof *tp);
}

void tape_reset(Tape *tp) {
    if (tp->n_old > 0) {
        // This step outgrew the block: next time, one block holds it all.
        for (int i = 0; i < tp->n_old; i++) free(tp->old[i]);
        tp->n_old = 0;
        free(tp->block);
#ifdef __GLIBC__
        // glibc keeps freed blocks below its (adaptive) mmap threshold in
        // the heap, still resident: without this, the first step's smaller
        // blocks stay in memory next to the merged one (+20 MB on W1).
        malloc_trim(0);
#endif
        tp->cap = tp->step_bytes;
        tp->block = xmalloc(tp->cap);
    }
    tp->used = 0;
    tp->step_bytes = 0;
    tp->n_nodes = 0;
}

int tape_set_no_grad(Tape *tp, int no_grad) {
    int was = tp->no_grad;
    tp->no_grad = no_grad;
    return was;
}

// `bytes` of the arena, as they are (garbage from an earlier step).
static void *arena_take(Tape *tp, size_t bytes) {
    bytes = (bytes + ARENA_ALIGN - 1) / ARENA_ALIGN * ARENA_ALIGN;
    if (tp->used + bytes > tp->cap) {
        if (tp->block) {
            tp->old = realloc(tp->old, sizeof(char *) * (tp->n_old + 1));
            if (!tp->old) tensor_fail("out of memory growing the tape");
            tp->old[tp->n_old++] = tp->block;
        }
        size_t cap = tp->cap ? 2 * tp->cap : ARENA_FIRST_BLOCK;
        while (cap < bytes) cap *= 2;
        tp->block = xmalloc(cap);
        tp->cap = cap;
        tp->used = 0;
    }
    void *p = tp->block + tp->used;
    tp->used += bytes;
    tp->step_bytes += bytes;
    return p;
}

void *tape_alloc(Tape *tp, size_t bytes) {
    void *p = arena_take(tp, bytes);
    memset(p, 0, bytes);
    return p;
}

float *tape_scratch(Tape *tp, long n) {
    if (n > tp->scratch_size) {
        free(tp->scratch);
        tp->scratch = xmalloc(sizeof(float) * (size_t)n);
        tp->scratch_size = n;
    }
    return tp->scratch;
}

static Tensor *new_tensor(Tape *tp, int ndim, const int *shape) {
    if (ndim < 0 || ndim > 4) tensor_fail("a tensor has 0 to 4 dimensions, not %d", ndim);
    Tensor *t = tape_alloc(tp, sizeof(Tensor));
    t->ndim = ndim;
    t->size = 1;
    for (int i = 0; i < 4; i++) {
        t->shape[i] = i < ndim ? shape[i] : 1;
        if (t->shape[i] <= 0) tensor_fail("dimension %d of a new tensor is %d", i, t->shape[i]);
        t->size *= t->shape[i];
    }
    t->op = OP_LEAF;
    t->node = -1;
    return t;
}

static void record(Tape *tp, Tensor *t) {
    if (tp->n_nodes == tp->cap_nodes) {
        tp->cap_nodes = tp->cap_nodes ? 2 * tp->cap_nodes : 256;
        tp->nodes = realloc(tp->nodes, sizeof(Tensor *) * tp->cap_nodes);
        if (!tp->nodes) tensor_fail("out of memory growing the tape's node list");
    }
    t->node = tp->n_nodes;
    tp->nodes[tp->n_nodes++] = t;
}

Tensor *tape_tensor(Tape *tp, int ndim, const int *shape, int requires_grad) {
    Tensor *t = new_tensor(tp, ndim, shape);
    t->data = tape_alloc(tp, sizeof(float) * t->size);
    if (requires_grad && !tp->no_grad) {
        t->grad = tape_alloc(tp, sizeof(float) * t->size);
        t->requires_grad = 1;
    }
    return t;
}

Tensor *tape_full_like(Tape *tp, const Tensor *t, float value) {
    Tensor *out = tape_tensor(tp, t->ndim, t->shape, 0);
    for (long i = 0; i < out->size; i++) out->data[i] = value;
    return out;
}

Tensor *tape_op_output(Tape *tp, Op op, int ndim, const int *shape,
                       Tensor *a, Tensor *b, Tensor *c) {
    Tensor *t = new_tensor(tp, ndim, shape);
    // Not zeroed: every op's kernel writes its whole output (tape.c zeroes
    // it first for the kernels a lesson plugs in, which may add onto it).
    // Zeroing each output cost ~5% of a W1 step, on one thread.
    t->data = arena_take(tp, sizeof(float) * t->size);
    t->op = op;
    t->src[0] = a;
    t->src[1] = b;
    t->src[2] = c;
    int any = (a && a->requires_grad) || (b && b->requires_grad) || (c && c->requires_grad);
    if (any && !tp->no_grad) {
        t->requires_grad = 1;
        t->grad = tape_alloc(tp, sizeof(float) * t->size);
        record(tp, t);
    }
    return t;
}

// A view is recorded like an op so that backward knows its source is
// reachable; its grad is a window into the source's grad, so the gradient
// arrives in the source with no copy.
static Tensor *view(Tape *tp, Tensor *t, int ndim, const int *shape, long offset) {
    Tensor *v = new_tensor(tp, ndim, shape);
    v->data = t->data + offset;
    v->op = OP_VIEW;
    v->src[0] = t;
    if (t->requires_grad && !tp->no_grad) {
        v->grad = t->grad + offset;
        v->requires_grad = 1;
        record(tp, v);
    }
    return v;
}

Tensor *tensor_reshape(Tape *tp, Tensor *t, int ndim, const int *shape) {
    long size = 1;
    for (int i = 0; i < ndim; i++) size *= shape[i];
    if (size != t->size) {
        char buf[64];
        tensor_fail("reshape: %s holds %ld floats, the new shape %ld",
                    tensor_shape_str(t, buf, sizeof buf), t->size, size);
    }
    return view(tp, t, ndim, shape, 0);
}

Tensor *tensor_flatten(Tape *tp, Tensor *t) {
    if (t->ndim < 1) tensor_fail("flatten: a scalar has no batch dimension");
    int shape[2] = {t->shape[0], (int)(t->size / t->shape[0])};
    return view(tp, t, 2, shape, 0);
}

Tensor *tensor_slice(Tape *tp, Tensor *t, int start, int count) {
    if (t->ndim < 1 || start < 0 || count < 1 || start + count > t->shape[0]) {
        char buf[64];
        tensor_fail("slice [%d, %d) is outside the first dimension of %s", start, start + count,
                    tensor_shape_str(t, buf, sizeof buf));
    }
    int shape[4];
    memcpy(shape, t->shape, sizeof shape);
    shape[0] = count;
    return view(tp, t, t->ndim, shape, (t->size / t->shape[0]) * start);
}

Tensor *tensor_detach(Tape *tp, Tensor *t) {
    Tensor *d = new_tensor(tp, t->ndim, t->shape);
    d->data = t->data;
    return d;
}

const char *tensor_shape_str(const Tensor *t, char *buf, size_t n) {
    int len = snprintf(buf, n, "(");
    for (int i = 0; i < t->ndim && len >= 0 && (size_t)len < n; i++)
        len += snprintf(buf + len, n - len, i ? ", %d" : "%d", t->shape[i]);
    if (len >= 0 && (size_t)len < n) snprintf(buf + len, n - len, ")");
    return buf;
}

int tensor_same_shape(const Tensor *a, const Tensor *b) {
    if (a->ndim != b->ndim) return 0;
    for (int i = 0; i < a->ndim; i++)
        if (a->shape[i] != b->shape[i]) return 0;
    return 1;
}
