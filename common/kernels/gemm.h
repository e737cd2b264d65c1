// gemm.h - the one matrix multiply of the course, backed by BLIS.
// Every dense layer and every convolution ends up here.
//
// Row-major: C (M, N) = alpha * op(A) (M, K) @ op(B) (K, N) + beta * C
// op(A) = A when trans_a is 0, A^T when trans_a is 1 (then A is stored (K, M)).
// lda, ldb, ldc are the row strides of A, B, C as stored.
#ifndef GEMM_H
#define GEMM_H

void gemm(int trans_a, int trans_b, int M, int N, int K,
          float alpha, const float *A, int lda, const float *B, int ldb,
          float beta, float *C, int ldc);

// Threads used by BLIS and by the library's OpenMP loops (0 = all cores).
void compute_set_threads(int n);
int compute_threads(void);

#endif
