// gemm.c - the BLIS back end of gemm() and the thread setting.
//
// BLIS itself always runs on one thread here; gemm() splits a product over
// the threads itself, in bands (see gemm_band). BLIS's own threading
// synchronises its threads at several barriers inside every product, which
// it spins at: on the small products of a GAN that costs more than it
// brings, and on a busy machine one preempted thread stalls the other at
// every barrier (W2 ran 6x slower on two threads than on one). A band costs
// one join per product.
#include "kernels/gemm.h"

#include "kernels/blas_kernels.h"
#include "util/error.h"

#include <blis.h>
#include <omp.h>

// Below this many multiply-adds, a product is not worth starting threads for.
#define GEMM_PARALLEL_MIN (1L << 18)
// Bands are multiples of this many rows or columns (a multiple of BLIS's
// micro-tile sides), and a split needs at least two of them per thread.
#define BAND_ALIGN 16

// C = op(A) @ op(B) on the calling thread, with BLIS's options set.
static void gemm_one_thread(int trans_a, int trans_b, int M, int N, int K, float alpha,
                            const float *A, int lda, const float *B, int ldb, float beta,
                            float *C, int ldc) {
    if (M <= 0 || N <= 0) return;
    rntm_t rntm = BLIS_RNTM_INITIALIZER;
    bli_rntm_set_num_threads(1, &rntm);
    // BLIS sends "small" products (any side under a few hundred, which is
    // most of a GAN's: 64 output channels, 8 images of 1x1) to a path that
    // reads A and B in place, with their strides. On a wide B (a 128x128
    // image's 16384 columns) every row is a new page: that path ran 1.5-4x
    // slower here than the usual one, which packs both operands into
    // contiguous panels first (measured on W1, W2 and W4 shapes), and it
    // made the transpose flags slow. The usual path also sums every entry of
    // C in the same order whatever the other dimensions, so a network's
    // output does not depend on how its batch was split.
    bli_rntm_disable_l3_sup(&rntm);
    // BLIS takes a row stride and a column stride per matrix, so row-major
    // storage is rs = ld, cs = 1; the transpose flag applies on top.
    bli_sgemm_ex(trans_a ? BLIS_TRANSPOSE : BLIS_NO_TRANSPOSE,
                 trans_b ? BLIS_TRANSPOSE : BLIS_NO_TRANSPOSE,
                 M, N, K, &alpha, (float *)A, lda, 1, (float *)B, ldb, 1,
                 &beta, C, ldc, 1, NULL, &rntm);
}

// Band `part` of `parts` of the product: a band of C's rows (and of op(A)'s)
// when split_rows, else a band of C's columns (and of op(B)'s). Each thread
// packs its band of one operand and all of the other, so the split runs
// along the larger operand: then the copy every thread makes is the small one.
static void gemm_band(int part, int parts, int split_rows, int trans_a, int trans_b, int M,
                      int N, int K, float alpha, const float *A, int lda, const float *B,
                      int ldb, float beta, float *C, int ldc) {
    int n = split_rows ? M : N;
    int blocks = (n + BAND_ALIGN - 1) / BAND_ALIGN;
    int lo = (int)((long)blocks * part / parts) * BAND_ALIGN;
    int hi = (int)((long)blocks * (part + 1) / parts) * BAND_ALIGN;
    if (hi > n) hi = n;
    if (split_rows)   // op(A) rows lo..hi: row lo of A, or column lo of A stored (K, M)
        gemm_one_thread(trans_a, trans_b, hi - lo, N, K, alpha,
                        A + (trans_a ? lo : (long)lo * lda), lda, B, ldb, beta,
                        C + (long)lo * ldc, ldc);
    else              // op(B) columns lo..hi: column lo of B, or row lo of B stored (N, K)
        gemm_one_thread(trans_a, trans_b, M, hi - lo, K, alpha, A, lda,
                        B + (trans_b ? (long)lo * ldb : lo), ldb, beta, C + lo, ldc);
}

void gemm(int trans_a, int trans_b, int M, int N, int K,
          float alpha, const float *A, int lda, const float *B, int ldb,
          float beta, float *C, int ldc) {
    if (M == 0 || N == 0) return;
    gemm_kernels_select();   // before BLIS's first product: it reads the choice once
    // BLIS would abort with "non-zero dimensions containing null buffer".
    if (!C || (K > 0 && (!A || !B)))
        error_abort("gemm: %s is NULL in a (%d x %d) x (%d x %d) product",
                    !C ? "C" : !A ? "A" : "B", M, K, K, N);
    // Inside a parallel region the caller has split the work already (conv_chunks.c
    // gives each thread its own images): the product stays on this thread.
    int T = omp_in_parallel() ? 1 : compute_threads();
    int split_rows = M >= N;   // A (M, K) is the larger operand
    if ((split_rows ? M : N) < 2 * BAND_ALIGN * T) split_rows = !split_rows;
    if ((split_rows ? M : N) < 2 * BAND_ALIGN * T || (long)M * N * K < GEMM_PARALLEL_MIN) T = 1;
    #pragma omp parallel num_threads(T) if (T > 1)
    gemm_band(omp_get_thread_num(), omp_get_num_threads(), split_rows, trans_a, trans_b, M, N,
              K, alpha, A, lda, B, ldb, beta, C, ldc);
}

static int threads_in_use = 0;

void compute_set_threads(int n) {
    gemm_kernels_select();
    if (n <= 0) n = omp_get_num_procs();
    threads_in_use = n;
    omp_set_num_threads(n);
}

int compute_threads(void) {
    return threads_in_use > 0 ? threads_in_use : omp_get_max_threads();
}
