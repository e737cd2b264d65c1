// test_gemm.c - the BLIS-backed gemm() against a naive triple loop, for every
// combination of transposes and for strided (sub-matrix) operands, under
// every kernel set of BLIS this CPU runs; and the rule that picks the set
// (common/kernels/blas_kernels.h) on the CPUs the course runs on.
#include <blis.h>
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "train/args.h"
#include "kernels/blas_kernels.h"
#include "check.h"
#include "kernels/gemm.h"
#include "util/rng.h"
#include "train/run.h"

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

// gemm() against the naive loop for all four transposes, on padded
// (strided) operands of M x N x K.
static void check_all_transposes(int M, int N, int K, const char *kernels) {
    const int pad = 3;
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
            char what[96];
            snprintf(what, sizeof what, "gemm(trans_a=%d, trans_b=%d) %dx%dx%d, kernels %s", ta,
                     tb, M, N, K, kernels);
            check_close(what, C, R, M * ldc, 1e-4f, 1e-4f);
            free(A); free(B); free(C); free(R);
        }
}

Test(gemm, agrees_with_naive_for_all_transposes) {
    check_all_transposes(37, 29, 53, gemm_kernel_set());
}

// ---------------------------------------------------------------- every kernel set
// BLIS picks its set once per process, and Criterion runs each test in a
// process of its own: each test asks for one set before its first product.

static void check_kernel_set(const char *name) {
    CpuDesc cpu;
    cpu_describe(&cpu);
    if (!blas_kernels_runnable(name, &cpu))
        cr_skip_test("this BLIS lacks the kernel set '%s', or this CPU its instructions", name);
    setenv("GAN_GEMM_KERNELS", name, 1);
    unsetenv("BLIS_ARCH_TYPE");
    cr_assert_str_eq(gemm_kernel_set(), name, "GAN_GEMM_KERNELS=%s must make BLIS run '%s' (%s)",
                     name, name, gemm_kernel_reason());
    // Edges of every micro-tile (6x16, 14x32, ...) and K past the blocks of
    // K that the kernels pack (256-512 floats): the remainders are exercised.
    check_all_transposes(37, 29, 53, name);
    check_all_transposes(70, 45, 600, name);
}

Test(gemm, correct_under_skx_kernels) { check_kernel_set("skx"); }
Test(gemm, correct_under_haswell_kernels) { check_kernel_set("haswell"); }
Test(gemm, correct_under_zen3_kernels) { check_kernel_set("zen3"); }
Test(gemm, correct_under_zen2_kernels) { check_kernel_set("zen2"); }
Test(gemm, correct_under_zen_kernels) { check_kernel_set("zen"); }
Test(gemm, correct_under_sandybridge_kernels) { check_kernel_set("sandybridge"); }
Test(gemm, correct_under_penryn_kernels) { check_kernel_set("penryn"); }
Test(gemm, correct_under_generic_kernels) { check_kernel_set("generic"); }

Test(gemm, every_runnable_kernel_set_has_a_test) {
    const char *tested[] = {"skx", "haswell", "zen3", "zen2", "zen", "sandybridge", "penryn",
                            "generic"};
    CpuDesc cpu;
    cpu_describe(&cpu);
    for (const char *const *n = blas_kernel_names(); *n; n++) {
        if (!blas_kernels_runnable(*n, &cpu)) continue;
        int found = 0;
        for (size_t i = 0; i < sizeof tested / sizeof tested[0]; i++)
            found |= strcmp(tested[i], *n) == 0;
        cr_assert(found, "BLIS's kernel set '%s' runs on this CPU but no test checks it", *n);
    }
}

// ---------------------------------------------------------------- choosing the set

Test(gemm, an_unknown_kernel_set_falls_back_to_the_rule) {
    setenv("GAN_GEMM_KERNELS", "no-such-set", 1);
    unsetenv("BLIS_ARCH_TYPE");
    CpuDesc cpu;
    cpu_describe(&cpu);
    const char *rule = gemm_kernel_rule(&cpu, NULL);
    const char *set = gemm_kernel_set();
    if (rule) cr_assert_str_eq(set, rule, "a bad GAN_GEMM_KERNELS leaves the rule's '%s'", rule);
    cr_assert(strncmp(gemm_kernel_reason(), "rule: ", 6) == 0,
              "the reason names the rule, found \"%s\"", gemm_kernel_reason());
    check_all_transposes(37, 29, 53, set);
}

Test(gemm, a_user_blis_arch_type_is_left_alone) {
    CpuDesc cpu;
    cpu_describe(&cpu);
    if (!blas_kernels_runnable("generic", &cpu)) cr_skip_test("this BLIS has no 'generic' set");
    setenv("GAN_GEMM_KERNELS", "haswell", 1);
    char id[16];
    snprintf(id, sizeof id, "%d", (int)BLIS_ARCH_GENERIC);
    setenv("BLIS_ARCH_TYPE", id, 1);
    cr_assert_str_eq(gemm_kernel_set(), "generic", "BLIS_ARCH_TYPE=%s is BLIS's 'generic'", id);
    cr_assert(strstr(gemm_kernel_reason(), "BLIS_ARCH_TYPE") != NULL,
              "the reason names BLIS_ARCH_TYPE, found \"%s\"", gemm_kernel_reason());
}

// The CPUs of the course's machines, as CPUID describes them.
static const CpuDesc XEON_AVX512 = {CPU_INTEL, 6, 207, 1, 1};    // the Xeon
static const CpuDesc SKYLAKE_SP = {CPU_INTEL, 6, 85, 1, 1};
static const CpuDesc HASWELL = {CPU_INTEL, 6, 63, 1, 0};
static const CpuDesc ZEN4 = {CPU_AMD, 25, 17, 1, 1};             // the EPYC here
static const CpuDesc ZEN3 = {CPU_AMD, 25, 1, 1, 0};
static const CpuDesc ZEN2 = {CPU_AMD, 23, 49, 1, 0};
static const CpuDesc ARM = {CPU_OTHER, 0, 0, 0, 0};

static void expect_rule(const CpuDesc *cpu, const char *want, const char *what) {
    const char *why = NULL;
    const char *got = gemm_kernel_rule(cpu, &why);
    cr_assert(why != NULL && *why, "the rule says why for %s", what);
    if (!want)
        cr_assert_null(got, "%s: expected BLIS's own pick, found '%s'", what, got ? got : "");
    else
        cr_assert(got && strcmp(got, want) == 0, "%s: expected '%s', found '%s'", what, want,
                  got ? got : "BLIS's own pick");
}

Test(gemm, the_rule_picks_skx_on_intel_with_avx512) {
    expect_rule(&XEON_AVX512, "skx", "Intel family 6 model 207 with AVX-512");
    expect_rule(&SKYLAKE_SP, "skx", "Intel Skylake-SP");
}

Test(gemm, the_rule_keeps_blis_pick_without_avx512) {
    expect_rule(&HASWELL, NULL, "Intel Haswell");
    expect_rule(&ZEN3, NULL, "AMD Zen 3");
    expect_rule(&ZEN2, NULL, "AMD Zen 2");
    expect_rule(&ARM, NULL, "a CPU of another vendor");
}

Test(gemm, the_rule_picks_zen3_on_zen4) {
    expect_rule(&ZEN4, "zen3", "AMD Zen 4 (family 25 with AVX-512)");
}

Test(gemm, the_rule_looks_only_at_its_argument) {
    setenv("GAN_GEMM_KERNELS", "haswell", 1);
    expect_rule(&XEON_AVX512, "skx", "Intel with AVX-512, GAN_GEMM_KERNELS=haswell set");
}

// run_start (common/train/run.c) records the set in the run's config.txt.
Test(gemm, a_run_records_its_kernel_set_in_config_txt) {
    char dir[] = "/tmp/test_gemm_XXXXXX";
    cr_assert_not_null(mkdtemp(dir), "mkdtemp");
    cr_assert_eq(chdir(dir), 0, "chdir");   // each test runs in its own process
    Args a;
    Error err;
    args_init(&a, "99_test", "a test");
    char *argv[] = {"prog", "--name", "k", "--threads", "1"};
    cr_assert_eq(args_parse(&a, 5, argv, &err), 0, "%s", err.msg);
    Outputs o;
    cr_assert_eq(run_start(&o, &a, &err), 0, "%s", err.msg);
    FILE *f = fopen("runs/99_test/k/config.txt", "r");
    cr_assert_not_null(f, "run_start writes config.txt");
    char text[8192];
    size_t n = fread(text, 1, sizeof text - 1, f);
    text[n] = '\0';
    fclose(f);
    char want[256];
    snprintf(want, sizeof want, "\n# gemm kernels: %s (%s)\n", gemm_kernel_set(),
             gemm_kernel_reason());
    cr_assert(strstr(text, want) != NULL, "config.txt must contain \"%s\":\n%s", want + 1, text);
    cr_assert_eq(system("rm -rf runs"), 0, "clean up");
    cr_assert_eq(chdir("/"), 0, "chdir");
    rmdir(dir);
}
