// test_pool.c - exercise 6.4: the image pool's query (junyanz's ImagePool,
// with the course's Rng), against the reference pool of cyclegan_ref.c draw for
// draw: the same outputs, the same pool contents and count, and the same
// random stream left behind (a resumed run replays the pool exactly).
#include <stdlib.h>

#include "l06_test.h"

TestSuite(l06_pool, .timeout = 30);

// Tiny images: 1 channel, 1 x 2 pixels, so each image is two numbers.
#define PC 1
#define PH 1
#define PW 2
#define PI (PC * PH * PW)

static void fill(float *x, int n, float base) {
    for (int i = 0; i < n * PI; i++) x[i] = base + (float)i;
}

Test(l06_pool, fills_without_drawing) {
    L06Pool p;
    l06_pool_init(&p, 3, PC, PH, PW);
    Rng rng, before;
    rng_seed(&rng, 11);
    before = rng;
    float in[3 * PI], out[3 * PI];
    fill(in, 3, 100.0f);
    l06_pool_query(&p, out, in, 2, &rng);
    l06_pool_query(&p, out + 2 * PI, in + 2 * PI, 1, &rng);
    cr_assert(p.count == 3, "3 images into an empty pool of 3: count %d, expected 3", p.count);
    check_close("while the pool fills, each query returns the new image", out, in, 3 * PI, 0, 0);
    check_close("... and stores it in the next free slot", p.images, in, 3 * PI, 0, 0);
    cr_assert(memcmp(&rng, &before, sizeof rng) == 0,
              "a pool that is not full draws no random number");
    l06_pool_free(&p);
}

Test(l06_pool, full_pool_matches_the_reference_draw_for_draw) {
    enum { CAP = 5, N = 40 };
    L06Pool p, q;
    l06_pool_init(&p, CAP, PC, PH, PW);
    l06_pool_init(&q, CAP, PC, PH, PW);
    Rng r1, r2;
    rng_seed(&r1, 2024), rng_seed(&r2, 2024);
    float in[N * PI], got[N * PI], want[N * PI];
    fill(in, N, 0.0f);
    // one image per query, then batches of 3 and 4
    int done = 0, sizes[] = {1, 1, 1, 1, 1, 1, 1, 1, 3, 4, 3, 4, 1, 4, 4, 4};
    for (int k = 0; k < (int)(sizeof sizes / sizeof sizes[0]) && done < N; k++) {
        int n = sizes[k] < N - done ? sizes[k] : N - done;
        l06_pool_query(&p, got + done * PI, in + done * PI, n, &r1);
        l06_ref_pool_query(&q, want + done * PI, in + done * PI, n, &r2);
        done += n;
    }
    check_close("what D is shown (seed 2024, pool of 5: after filling, u = rng_uniform > 0.5 "
                "returns stored image rng_int(cap), which the new one replaces)", got, want,
                done * PI, 0, 0);
    check_close("the pool's images afterwards", p.images, q.images, CAP * PI, 0, 0);
    cr_assert(p.count == q.count, "count %d, expected %d", p.count, q.count);
    cr_assert(memcmp(&r1, &r2, sizeof r1) == 0,
              "the random stream differs from the reference's afterwards: draw rng_uniform once "
              "per image of a full pool, and rng_int(cap) only when returning an old image");
    int old = 0;
    for (int i = CAP; i < done; i++) old += got[i * PI] != in[i * PI];
    cr_assert(old > 5 && old < done - CAP - 5,
              "a full pool returns an old image about half the time: %d of %d", old, done - CAP);
    l06_pool_free(&p);
    l06_pool_free(&q);
}

Test(l06_pool, no_pool_and_batches) {
    L06Pool p;
    l06_pool_init(&p, 0, PC, PH, PW);
    Rng rng, before;
    rng_seed(&rng, 5);
    before = rng;
    float in[4 * PI], out[4 * PI];
    fill(in, 4, -3.0f);
    l06_pool_query(&p, out, in, 4, &rng);
    check_close("pool size 0: every image comes back as it is", out, in, 4 * PI, 0, 0);
    cr_assert(p.count == 0 && memcmp(&rng, &before, sizeof rng) == 0,
              "pool size 0 stores nothing (count %d) and draws nothing", p.count);
    L06Pool q;  // a batch larger than the pool: fills, then the rest meet a full pool
    l06_pool_init(&q, 2, PC, PH, PW);
    L06Pool r;
    l06_pool_init(&r, 2, PC, PH, PW);
    Rng r1, r2;
    rng_seed(&r1, 9), rng_seed(&r2, 9);
    float want[4 * PI];
    l06_pool_query(&q, out, in, 4, &r1);
    l06_ref_pool_query(&r, want, in, 4, &r2);
    check_close("a batch of 4 into an empty pool of 2: the first 2 fill it, the next 2 meet a "
                "full pool", out, want, 4 * PI, 0, 0);
    cr_assert(q.count == 2, "a pool of 2 holds 2 after 4 images, not %d", q.count);
    l06_pool_free(&p), l06_pool_free(&q), l06_pool_free(&r);
}
