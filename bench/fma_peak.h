// fma_peak.h - the FMA peak of this machine, measured by a loop of
// independent fused multiply-adds: the ceiling a GEMM kernel can reach.
#ifndef FMA_PEAK_H
#define FMA_PEAK_H

typedef struct {
    double avx512_1, avx2_1;   // GFLOP/s of one thread (0: the CPU lacks the instructions)
    double avx512_2, avx2_2;   // two threads at once, the sum of their rates
} FmaPeak;

// Each figure is FLOPs over the thread's own CPU time (not wall time), so a
// busy machine slows the measurement but not the figure; two threads run
// together, one per core, and their rates are added. About 0.5 s in all.
void fma_peak_measure(FmaPeak *p);

// The best of the AVX-512 and AVX2 peaks at `threads` (1 or 2; more: 2's
// figure scaled per thread).
double fma_peak_best(const FmaPeak *p, int threads);

#endif
