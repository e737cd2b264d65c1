// gemm_kernels.c - `make bench-kernels`: the course's GEMM shapes timed under
// each of BLIS's kernel sets that this CPU runs, the measurement behind
// gemm_kernel_rule() (common/kernels/blas_kernels.h).
//
// The shapes are the products W1-W4S make on one thread, as recorded from
// gemm()'s calls during one step of each (bench.c): those that together
// make 56-92% of each workload's GEMM FLOPs, with their calls per step.
// BLIS picks its kernel set once, when it starts, so each set runs in a
// child process of its own (GAN_GEMM_KERNELS=<set>); the sets take turns,
// round after round, and each shape keeps its fastest round, which is what
// a busy machine distorts least. Times are the thread's CPU time, not wall
// time, for the same reason.
//
// Output: one line per shape and set, then per workload and set the time
// its recorded products take per step (sum of calls x ms):
//     gemm shape=W4:0,0,256,256,2304 calls=192 kernels=skx ms=... gflop_per_s=...
//     gemm workload=W4 kernels=skx ms_per_step=... vs_best=1.00
//
// Usage: gemm_kernels [--rounds 3] [--sets skx,haswell,zen3]
//        gemm_kernels --child      (one pass under the current set: what each round runs)
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "kernels/blas_kernels.h"
#include "kernels/gemm.h"

typedef struct {
    const char *workload;
    int ta, tb, M, N, K;
    int calls;   // per step, on one thread
} Shape;

static const Shape SHAPES[] = {
    {"W1", 1, 0, 160, 392, 256, 192}, {"W1", 0, 1, 256, 2048, 392, 8},
    {"W1", 0, 0, 256, 392, 2048, 8},  {"W1", 0, 0, 128, 784, 1024, 12},
    {"W1", 1, 0, 80, 784, 128, 144},  {"W1", 0, 1, 128, 1024, 784, 8},
    {"W2", 0, 0, 256, 392, 2048, 3},  {"W2", 1, 0, 160, 392, 256, 36},
    {"W2", 0, 1, 256, 2048, 392, 2},  {"W2", 1, 0, 128, 512, 128, 32},
    {"W2", 1, 0, 64, 1024, 64, 64},   {"W2", 0, 0, 128, 512, 1024, 4},
    {"W2", 0, 0, 64, 1024, 512, 8},   {"W2", 0, 1, 128, 1024, 512, 3},
    {"W3", 0, 1, 128, 1152, 256, 72}, {"W3", 0, 0, 128, 256, 1152, 72},
    {"W3", 1, 0, 252, 256, 128, 312}, {"W3", 1, 0, 144, 256, 128, 72},
    {"W4", 0, 0, 256, 256, 2304, 192}, {"W4", 1, 0, 252, 256, 256, 864},
    {"W4", 0, 0, 128, 448, 1152, 144}, {"W4", 0, 0, 64, 896, 576, 288},
    {"W4", 0, 1, 256, 2304, 256, 48},  {"W4", 1, 0, 144, 448, 128, 576},
    {"W4", 1, 0, 72, 896, 64, 1152},   {"W4", 0, 0, 512, 256, 2304, 12},
    {"W4S", 0, 0, 256, 256, 2304, 144}, {"W4S", 0, 0, 64, 768, 576, 255},
    {"W4S", 0, 0, 128, 384, 1152, 126}, {"W4S", 0, 0, 512, 256, 2304, 8},
    {"W4S", 0, 0, 256, 448, 1152, 18},  {"W4S", 0, 0, 128, 896, 576, 36},
};
enum { N_SHAPES = sizeof SHAPES / sizeof SHAPES[0], MAX_SETS = 16 };
static const char *const WORKLOAD_NAMES[] = {"W1", "W2", "W3", "W4", "W4S"};

static double thread_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return 1e3 * ts.tv_sec + 1e-6 * ts.tv_nsec;
}

static float *filled(long n) {
    float *x = malloc(sizeof(float) * n);
    if (!x) { fprintf(stderr, "gemm_kernels: out of memory\n"); exit(1); }
    for (long i = 0; i < n; i++) x[i] = (float)((i * 7919) % 1000) / 1000.0f - 0.5f;
    return x;
}

// CPU ms of one product: the best of three batches of at least 20 ms each.
static double time_shape(const Shape *s) {
    float *A = filled((long)s->M * s->K), *B = filled((long)s->K * s->N);
    float *C = filled((long)s->M * s->N);
    int lda = s->ta ? s->M : s->K, ldb = s->tb ? s->K : s->N;
    gemm(s->ta, s->tb, s->M, s->N, s->K, 1.0f, A, lda, B, ldb, 0.0f, C, s->N);   // warm
    double best = 1e30;
    for (int r = 0; r < 3; r++) {
        int n = 0;
        double t0 = thread_ms(), t;
        do {
            gemm(s->ta, s->tb, s->M, s->N, s->K, 1.0f, A, lda, B, ldb, 0.0f, C, s->N);
            n++;
        } while ((t = thread_ms() - t0) < 20.0);
        if (t / n < best) best = t / n;
    }
    free(A), free(B), free(C);
    return best;
}

static int child(void) {
    compute_set_threads(1);
    printf("set %s\n", gemm_kernel_set());
    for (int i = 0; i < N_SHAPES; i++) printf("shape %d %.6f\n", i, time_shape(&SHAPES[i]));
    return 0;
}

static double gflops(const Shape *s, double ms) {
    return 2.0 * s->M * s->N * s->K / (ms * 1e6);
}

int main(int argc, char **argv) {
    int rounds = 3;
    const char *sets_arg = NULL;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--child") == 0) return child();
        if (strcmp(argv[i], "--rounds") == 0 && i + 1 < argc) rounds = atoi(argv[++i]);
        else if (strcmp(argv[i], "--sets") == 0 && i + 1 < argc) sets_arg = argv[++i];
        else {
            fprintf(stderr, "usage: gemm_kernels [--rounds N] [--sets skx,haswell,zen3] | --child\n");
            return 2;
        }
    }
    if (rounds < 1) rounds = 1;
    CpuDesc cpu;
    cpu_describe(&cpu);
    const char *sets[MAX_SETS];
    int n_sets = 0;
    char buf[256];
    snprintf(buf, sizeof buf, "%s", sets_arg ? sets_arg : "skx,haswell,zen3");
    for (char *t = strtok(buf, ","); t && n_sets < MAX_SETS; t = strtok(NULL, ","))
        if (blas_kernels_runnable(t, &cpu)) sets[n_sets++] = strdup(t);
        else fprintf(stderr, "# gemm_kernels: '%s' is not a kernel set this BLIS has and this CPU runs; skipped\n", t);
    if (n_sets == 0) return 1;

    char model[64];
    cpu_model_name(model, sizeof model);
    const char *why;
    const char *rule = gemm_kernel_rule(&cpu, &why);
    printf("# cpu=\"%s\" family=%d model=%d avx2_fma=%d avx512=%d rule=%s (%s)\n", model,
           cpu.family, cpu.model, cpu.avx2_fma, cpu.avx512, rule ? rule : "blis", why);
    static double ms[MAX_SETS][N_SHAPES];
    for (int k = 0; k < n_sets; k++)
        for (int i = 0; i < N_SHAPES; i++) ms[k][i] = 1e30;
    for (int r = 0; r < rounds; r++)
        for (int k = 0; k < n_sets; k++) {
            char cmd[512];
            snprintf(cmd, sizeof cmd, "GAN_GEMM_KERNELS=%s /proc/%d/exe --child", sets[k],
                     (int)getpid());
            FILE *p = popen(cmd, "r");
            char line[256], running[64] = "";
            int i;
            double t;
            while (p && fgets(line, sizeof line, p)) {
                if (sscanf(line, "set %63s", running) == 1 && strcmp(running, sets[k]) != 0)
                    fprintf(stderr, "# gemm_kernels: asked for '%s', BLIS ran '%s'\n", sets[k],
                            running);
                if (sscanf(line, "shape %d %lf", &i, &t) == 2 && i >= 0 && i < N_SHAPES &&
                    t < ms[k][i])
                    ms[k][i] = t;
            }
            if (!p || pclose(p) != 0) {
                fprintf(stderr, "gemm_kernels: the child for '%s' failed\n", sets[k]);
                return 1;
            }
            fprintf(stderr, "# round %d/%d: %s done\n", r + 1, rounds, sets[k]);
        }
    for (int i = 0; i < N_SHAPES; i++) {
        const Shape *s = &SHAPES[i];
        for (int k = 0; k < n_sets; k++)
            printf("gemm shape=%s:%d,%d,%d,%d,%d calls=%d kernels=%s ms=%.4f gflop_per_s=%.1f\n",
                   s->workload, s->ta, s->tb, s->M, s->N, s->K, s->calls, sets[k], ms[k][i],
                   gflops(s, ms[k][i]));
    }
    for (int w = 0; w < 5; w++) {
        double step[MAX_SETS] = {0}, best = 1e30;
        for (int k = 0; k < n_sets; k++) {
            for (int i = 0; i < N_SHAPES; i++)
                if (strcmp(SHAPES[i].workload, WORKLOAD_NAMES[w]) == 0)
                    step[k] += SHAPES[i].calls * ms[k][i];
            if (step[k] < best) best = step[k];
        }
        for (int k = 0; k < n_sets; k++)
            printf("gemm workload=%s kernels=%s ms_per_step=%.1f vs_best=%.2f\n",
                   WORKLOAD_NAMES[w], sets[k], step[k], step[k] / best);
    }
    return 0;
}
