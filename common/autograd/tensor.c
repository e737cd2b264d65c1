// tensor.c - the tape's arena, leaf tensors and views.
#include "autograd/tensor.h"

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
    for (int i = 0; i < tp->n_pool; i++) free(tp->pool[i].p);
    free(tp->pool);
    memset(tp, 0, sizeof *tp);
}

void tape_reset(Tape *tp) {
    if (tp->n_old > 0 || tp->step_bytes > tp->cap) {
        // This step outgrew the block (perhaps in blocks tape_release has
        // dropped since): next time, one block holds it all.
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
    tp->live = 0;
    tp->step_bytes = 0;
    tp->n_nodes = 0;
    // Every gradient of the step is gone with its tensor.
    for (int i = 0; i < tp->n_pool; i++) tp->pool[i].used = 0;
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
    tp->live += bytes;
    if (tp->live > tp->step_bytes) tp->step_bytes = tp->live;
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

// ---------------------------------------------------------------- gradients

// The smallest free pool buffer of at least n floats, or a new one. A step
// asks for the same sizes in the same order every time, so after the first
// step the pool holds what it needs and nothing is allocated.
static float *pool_take(Tape *tp, long n) {
    int best = -1;
    for (int i = 0; i < tp->n_pool; i++)
        if (!tp->pool[i].used && tp->pool[i].cap >= n &&
            (best < 0 || tp->pool[i].cap < tp->pool[best].cap))
            best = i;
    if (best < 0) {
        GradBuf *pool = realloc(tp->pool, sizeof(GradBuf) * (tp->n_pool + 1));
        if (!pool) tensor_fail("out of memory growing the gradient pool");
        tp->pool = pool;
        best = tp->n_pool++;
        tp->pool[best] = (GradBuf){xmalloc(sizeof(float) * (size_t)n), n, 0};
    }
    tp->pool[best].used = 1;
    memset(tp->pool[best].p, 0, sizeof(float) * (size_t)n);
    return tp->pool[best].p;
}

static void pool_give_back(Tape *tp, float *p) {
    for (int i = 0; i < tp->n_pool; i++)
        if (tp->pool[i].p == p) {
            tp->pool[i].used = 0;
            return;
        }
    tensor_fail("a pooled gradient is not in the pool");
}

float *tensor_grad(Tape *tp, Tensor *t) {
    if (t->grad) return t->grad;
    if (!t->requires_grad) tensor_fail("tensor_grad: the tensor requires no gradient");
    if (t->op == OP_VIEW) {
        Tensor *src = t->src[0];
        t->grad = tensor_grad(tp, src) + (t->data - src->data);
        t->grad_pooled = src->grad_pooled;
    } else {
        t->grad = pool_take(tp, t->size);
        t->grad_pooled = 1;
    }
    return t->grad;
}

void tensor_drop_grad(Tape *tp, Tensor *t) {
    if (!t->grad) return;
    if (!t->grad_pooled) {
        // A view's grad belongs to its source.
        if (t->op != OP_VIEW) memset(t->grad, 0, sizeof(float) * t->size);
        return;
    }
    if (t->op != OP_VIEW) pool_give_back(tp, t->grad);
    t->grad = NULL;
    t->grad_pooled = 0;
}

// ---------------------------------------------------------------- releasing no_grad work

TapeMark tape_mark(const Tape *tp) {
    return (TapeMark){tp->block, tp->used, tp->cap, tp->live, tp->n_old, tp->n_nodes};
}

static int by_data_address(const void *a, const void *b) {
    const float *x = (*(Tensor *const *)a)->data, *y = (*(Tensor *const *)b)->data;
    return (x > y) - (x < y);
}

// A kept tensor as it will be: a leaf with t's shape and data at `data`.
static Tensor kept_leaf(const Tensor *t) {
    Tensor k = {0};
    k.ndim = t->ndim;
    memcpy(k.shape, t->shape, sizeof k.shape);
    k.size = t->size;
    k.op = OP_LEAF;
    k.node = -1;
    return k;
}

enum { MAX_KEEP = 16 };

void tape_release(Tape *tp, TapeMark m, Tensor **keep, int n) {
    if (tp->n_nodes != m.n_nodes)
        tensor_fail("tape_release: %d tensors were recorded for backward since the mark; "
                    "release no_grad work only", tp->n_nodes - m.n_nodes);
    if (n < 0 || n > MAX_KEEP) tensor_fail("tape_release: keeps 0 to %d tensors, not %d", MAX_KEEP, n);
    Tensor *order[MAX_KEEP], kept[MAX_KEEP];
    for (int i = 0; i < n; i++) {
        Tensor *t = keep[i];
        if (t->op == OP_VIEW) tensor_fail("tape_release: keep the tensor a view looks into, not the view");
        if (m.block && (char *)t->data >= m.block && (char *)t->data < m.block + m.used)
            tensor_fail("tape_release: a kept tensor was made before the mark");
        for (int j = 0; j < i; j++)
            if (keep[j] == t) tensor_fail("tape_release: a tensor is kept twice");
        order[i] = t;
    }
    // Lowest first: each moves down (or stays), never onto one not yet moved.
    qsort(order, n, sizeof(Tensor *), by_data_address);
    if (tp->block == m.block) {
        tp->used = m.used;
        tp->live = m.live;
        for (int i = 0; i < n; i++) {
            Tensor *t = order[i];
            kept[i] = kept_leaf(t);
            float *data = arena_take(tp, sizeof(float) * t->size);
            memmove(data, t->data, sizeof(float) * t->size);
            kept[i].data = data;
        }
    } else {
        // The arena grew since the mark (a first step): copy the kept data
        // out, drop the blocks made since, then copy it back in.
        size_t total = 0;
        for (int i = 0; i < n; i++) total += sizeof(float) * order[i]->size;
        float *tmp = xmalloc(total), *q = tmp;
        for (int i = 0; i < n; i++) {
            kept[i] = kept_leaf(order[i]);
            memcpy(q, order[i]->data, sizeof(float) * order[i]->size);
            q += order[i]->size;
        }
        // m.block waits in old[m.n_old], unless the mark came before the
        // first block (m.block NULL); every later block goes.
        free(tp->block);
        for (int i = m.block ? m.n_old + 1 : m.n_old; i < tp->n_old; i++) free(tp->old[i]);
        tp->block = m.block;
        tp->n_old = m.n_old;
        tp->cap = m.cap;
        tp->used = m.used;
        tp->live = m.live;
        q = tmp;
        for (int i = 0; i < n; i++) {
            kept[i].data = arena_take(tp, sizeof(float) * kept[i].size);
            memcpy(kept[i].data, q, sizeof(float) * kept[i].size);
            q += kept[i].size;
        }
        free(tmp);
    }
    for (int i = 0; i < n; i++) {
        Tensor *k = arena_take(tp, sizeof(Tensor));
        *k = kept[i];
        for (int j = 0; j < n; j++)
            if (keep[j] == order[i]) keep[j] = k;
    }
}

// ---------------------------------------------------------------- tensors

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
        // Large ones wait for backward (tensor_grad).
        if (t->size <= TAPE_EAGER_GRAD) t->grad = tape_alloc(tp, sizeof(float) * t->size);
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
        // A source whose grad waits for backward gives the view its window then.
        if (t->grad && !t->grad_pooled) v->grad = t->grad + offset;
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
