// gemm.c - the BLIS back end of gemm() and the thread setting.
#include "gemm.h"

#include <blis.h>
#include <omp.h>

void gemm(int trans_a, int trans_b, int M, int N, int K,
          float alpha, const float *A, int lda, const float *B, int ldb,
          float beta, float *C, int ldc) {
    if (M == 0 || N == 0) return;
    // BLIS takes a row stride and a column stride per matrix, so row-major
    // storage is rs = ld, cs = 1; the transpose flag applies on top.
    bli_sgemm(trans_a ? BLIS_TRANSPOSE : BLIS_NO_TRANSPOSE,
              trans_b ? BLIS_TRANSPOSE : BLIS_NO_TRANSPOSE,
              M, N, K, &alpha, (float *)A, lda, 1, (float *)B, ldb, 1,
              &beta, C, ldc, 1);
}

static int threads_in_use = 0;

void compute_set_threads(int n) {
    if (n <= 0) n = omp_get_num_procs();
    threads_in_use = n;
    omp_set_num_threads(n);
    bli_thread_set_num_threads(n);
}

int compute_threads(void) {
    return threads_in_use > 0 ? threads_in_use : omp_get_max_threads();
}
