// fma_peak.c - see fma_peak.h.
//
// A core sustains its FMA peak only with enough independent chains to cover
// the instruction's latency on every FMA pipe (4 cycles x 2 pipes on the
// CPUs here): 12 accumulators leave headroom. acc = acc * b + c converges to
// c / (1 - b), so the values stay normal (a denormal would slow the loop).
#include "fma_peak.h"

#include <immintrin.h>
#include <omp.h>
#include <time.h>

#include "kernels/blas_kernels.h"

enum { CHAINS = 12 };
static const long ITERS = 4L << 20;   // 0.1-0.2 s per measurement

static double thread_seconds(void) {
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return ts.tv_sec + 1e-9 * ts.tv_nsec;
}

__attribute__((target("avx512f"))) static float loop_avx512(long iters) {
    __m512 acc[CHAINS];
    const __m512 b = _mm512_set1_ps(0.999f), c = _mm512_set1_ps(1e-3f);
    for (int j = 0; j < CHAINS; j++) acc[j] = _mm512_set1_ps((float)j);
    for (long i = 0; i < iters; i++)
        for (int j = 0; j < CHAINS; j++) acc[j] = _mm512_fmadd_ps(acc[j], b, c);
    __m512 s = acc[0];
    for (int j = 1; j < CHAINS; j++) s = _mm512_add_ps(s, acc[j]);
    return _mm512_reduce_add_ps(s);
}

__attribute__((target("avx2,fma"))) static float loop_avx2(long iters) {
    __m256 acc[CHAINS];
    const __m256 b = _mm256_set1_ps(0.999f), c = _mm256_set1_ps(1e-3f);
    for (int j = 0; j < CHAINS; j++) acc[j] = _mm256_set1_ps((float)j);
    for (long i = 0; i < iters; i++)
        for (int j = 0; j < CHAINS; j++) acc[j] = _mm256_fmadd_ps(acc[j], b, c);
    __m256 s = acc[0];
    for (int j = 1; j < CHAINS; j++) s = _mm256_add_ps(s, acc[j]);
    float v[8], t = 0;
    _mm256_storeu_ps(v, s);
    for (int j = 0; j < 8; j++) t += v[j];
    return t;
}

static volatile float sink;   // keeps the loops' results alive

// GFLOP/s of one thread running the loop; width = floats per vector.
static double rate(int width) {
    double t0 = thread_seconds();
    sink = width == 16 ? loop_avx512(ITERS) : loop_avx2(ITERS);
    double s = thread_seconds() - t0;
    return 2.0 * width * CHAINS * ITERS / s / 1e9;
}

// Best of two runs (the first may pay for the core's frequency ramp), on
// `threads` threads at once, summed.
static double measure(int width, int threads) {
    double total = 0;
    #pragma omp parallel num_threads(threads) reduction(+ : total)
    {
        double a = rate(width), b = rate(width);
        total += a > b ? a : b;
    }
    return total;
}

void fma_peak_measure(FmaPeak *p) {
    CpuDesc cpu;
    cpu_describe(&cpu);
    *p = (FmaPeak){0};
    int two = omp_get_num_procs() >= 2 ? 2 : 1;
    if (cpu.avx512) {
        p->avx512_1 = measure(16, 1);
        p->avx512_2 = measure(16, two);
    }
    if (cpu.avx2_fma) {
        p->avx2_1 = measure(8, 1);
        p->avx2_2 = measure(8, two);
    }
}

double fma_peak_best(const FmaPeak *p, int threads) {
    double one = p->avx512_1 > p->avx2_1 ? p->avx512_1 : p->avx2_1;
    double two = p->avx512_2 > p->avx2_2 ? p->avx512_2 : p->avx2_2;
    if (threads <= 1) return one;
    return threads == 2 ? two : two / 2 * threads;
}
