// test_gemm.c - the BLIS-backed gemm() against a naive triple loop, for every
// combination of transposes and for strided (sub-matrix) operands.
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>

#include "check.h"
#include "gemm.h"
#include "rng.h"

// The textbook definition, in double: only this test uses it.
static void gemm_naive(int ta, int tb, int M, int N, int K, float alpha, const float *A, int lda,
                       const float *B, int ldb, float beta, float *C, int ldc) {
    for (int i = 0; i < M; i++)
        for (int j = 0; j < N; j++) {
            double s = 0.0;
            for (int k = 0; k < K; k++) {
                float a = ta ? A[k * lda + i] : A[i * lda + k];
                float b = tb ? B[j * ldb + k] : B[k * ldb + j];
                s += (double)a * b;
            }
            C[i * ldc + j] = (float)(alpha * s + beta * C[i * ldc + j]);
        }
}

TestSuite(gemm, .timeout = 30);

Test(gemm, agrees_with_naive_for_all_transposes) {
    const int M = 37, N = 29, K = 53, pad = 3;
    Rng rng;
    rng_seed(&rng, 1);
    for (int ta = 0; ta < 2; ta++)
        for (int tb = 0; tb < 2; tb++) {
            int lda = (ta ? M : K) + pad, ldb = (tb ? K : N) + pad, ldc = N + pad;
            int rows_a = ta ? K : M, rows_b = tb ? N : K;
            float *A = malloc(sizeof(float) * rows_a * lda);
            float *B = malloc(sizeof(float) * rows_b * ldb);
            float *C = malloc(sizeof(float) * M * ldc);
            float *R = malloc(sizeof(float) * M * ldc);
            rng_fill_normal(&rng, A, rows_a * lda, 0, 1);
            rng_fill_normal(&rng, B, rows_b * ldb, 0, 1);
            rng_fill_normal(&rng, C, M * ldc, 0, 1);
            for (int i = 0; i < M * ldc; i++) R[i] = C[i];
            gemm(ta, tb, M, N, K, 0.5f, A, lda, B, ldb, 2.0f, C, ldc);
            gemm_naive(ta, tb, M, N, K, 0.5f, A, lda, B, ldb, 2.0f, R, ldc);
            char what[64];
            snprintf(what, sizeof what, "gemm(trans_a=%d, trans_b=%d)", ta, tb);
            check_close(what, C, R, M * ldc, 1e-4f, 1e-4f);
            free(A); free(B); free(C); free(R);
        }
}
