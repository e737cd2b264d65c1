// blas_kernels.h - which of BLIS's kernel sets gemm() runs on this CPU.
//
// BLIS ships one set of GEMM kernels and block sizes per CPU family (its
// "sub-configurations": skx, haswell, zen3, ...) and picks one when it
// starts. Its pick is not always the fastest: on an Intel Xeon with AVX-512
// whose model BLIS 0.9 does not know, it cannot count the FMA units and falls
// back to the AVX2 'haswell' kernels, at half the speed of its 'skx' ones.
// The library therefore picks the set itself, by the rule of
// gemm_kernel_rule() (its measurements are in bench/README.md), before BLIS
// starts, through BLIS's BLIS_ARCH_TYPE variable.
//
// Override: GAN_GEMM_KERNELS=<name> (one of blas_kernel_names(); "blis"
// keeps BLIS's own pick). A BLIS_ARCH_TYPE set by the user is left alone.
#ifndef BLAS_KERNELS_H
#define BLAS_KERNELS_H

typedef enum { CPU_OTHER, CPU_INTEL, CPU_AMD } CpuVendor;

// What the rule looks at (cpu_describe() fills it from CPUID).
typedef struct {
    CpuVendor vendor;
    int family, model;   // the display family and model (e.g. 6 and 207, 25 and 17)
    int avx2_fma;        // AVX2 and FMA3, usable (the OS saves the YMM registers)
    int avx512;          // AVX-512 F, DQ, BW and VL, usable (the OS saves ZMM registers)
} CpuDesc;

void cpu_describe(CpuDesc *cpu);

// The CPU's brand string ("AMD EPYC 9R14 ...") into buf; "unknown" without one.
void cpu_model_name(char *buf, int size);

// The rule: the name of the kernel set to run on `cpu`, or NULL to keep
// BLIS's own pick; *why (if why is not NULL) says which case applied.
// Pure: it looks at nothing but its argument.
const char *gemm_kernel_rule(const CpuDesc *cpu, const char **why);

// Whether `name` is a kernel set of this BLIS build that this CPU can run.
int blas_kernels_runnable(const char *name, const CpuDesc *cpu);

// The kernel sets of this BLIS build, NULL-terminated (runnable or not).
const char *const *blas_kernel_names(void);

// Applies GAN_GEMM_KERNELS or the rule (once; gemm() calls it before its
// first product, compute_set_threads() too). After BLIS has started it
// cannot change the set any more; gemm_kernel_set() tells what BLIS runs.
void gemm_kernels_select(void);

// The kernel set BLIS runs ("skx"), starting BLIS if needed.
const char *gemm_kernel_set(void);

// Why it is that one: "rule: Intel with AVX-512", "GAN_GEMM_KERNELS",
// "BLIS_ARCH_TYPE", "BLIS's own pick", ... (for config.txt and bench).
const char *gemm_kernel_reason(void);

#endif
