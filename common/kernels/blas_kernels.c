// blas_kernels.c - see blas_kernels.h.
#include "kernels/blas_kernels.h"

#include <blis.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#define HAVE_CPUID 1
#else
#define HAVE_CPUID 0
#endif

// ---------------------------------------------------------------- the CPU

void cpu_describe(CpuDesc *cpu) {
    memset(cpu, 0, sizeof *cpu);
#if HAVE_CPUID
    unsigned a, b, c, d;
    if (!__get_cpuid(0, &a, &b, &c, &d)) return;
    char vendor[13];
    memcpy(vendor, &b, 4), memcpy(vendor + 4, &d, 4), memcpy(vendor + 8, &c, 4);
    vendor[12] = '\0';
    cpu->vendor = strcmp(vendor, "GenuineIntel") == 0   ? CPU_INTEL
                  : strcmp(vendor, "AuthenticAMD") == 0 ? CPU_AMD
                                                        : CPU_OTHER;
    __get_cpuid(1, &a, &b, &c, &d);
    // The display family and model: the extended fields count only where
    // the base family says so (Intel SDM, CPUID leaf 1).
    int base_family = (int)((a >> 8) & 0xf), base_model = (int)((a >> 4) & 0xf);
    int ext_family = (int)((a >> 20) & 0xff), ext_model = (int)((a >> 16) & 0xf);
    cpu->family = base_family == 0xf ? base_family + ext_family : base_family;
    cpu->model = base_family == 0x6 || base_family == 0xf ? base_model + (ext_model << 4)
                                                          : base_model;
    // gcc's checks include the OS's: the registers are saved on a switch.
    __builtin_cpu_init();
    cpu->avx2_fma = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
    cpu->avx512 = __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq") &&
                  __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512vl");
#endif
}

void cpu_model_name(char *buf, int size) {
    snprintf(buf, size, "unknown");
#if HAVE_CPUID
    unsigned r[12];
    if (__get_cpuid_max(0x80000000u, NULL) < 0x80000004u) return;
    for (unsigned i = 0; i < 3; i++)
        __get_cpuid(0x80000002u + i, &r[4 * i], &r[4 * i + 1], &r[4 * i + 2], &r[4 * i + 3]);
    char name[49];
    memcpy(name, r, 48);
    name[48] = '\0';
    char *s = name;
    while (*s == ' ') s++;
    for (char *e = s + strlen(s); e > s && e[-1] == ' '; e--) e[-1] = '\0';
    if (*s) snprintf(buf, size, "%s", s);
#endif
}

// ---------------------------------------------------------------- the rule

// Measured (bench/README.md, "GEMM kernel sets"; `make bench-kernels`):
// - Intel with AVX-512 (family 6, model 207): 'skx' 127 GFLOP/s against
//   'haswell' 71 on a 256x256x2304 product, one thread; W4's step 4049 ->
//   2613 ms. BLIS 0.9 picks 'haswell' there ("Number of FMA units unknown").
//   On an Intel CPU with one 512-bit FMA unit, AVX-512 and AVX2 have the same
//   peak, so 'skx' loses nothing.
// - AMD Zen 4 (family 25 with AVX-512): see ZEN4_KERNELS.
// Everything else keeps BLIS's own pick (it knows those CPUs).
#define ZEN4_KERNELS "zen3"

const char *gemm_kernel_rule(const CpuDesc *cpu, const char **why) {
    const char *dummy;
    if (!why) why = &dummy;
    if (cpu->vendor == CPU_INTEL && cpu->avx512) {
        *why = "Intel with AVX-512";
        return "skx";
    }
    if (cpu->vendor == CPU_AMD && cpu->family >= 0x19 && cpu->avx512) {
        *why = "AMD Zen 4 or later";
        return ZEN4_KERNELS;
    }
    *why = "BLIS's own pick";
    return NULL;
}

// ---------------------------------------------------------------- BLIS's kernel sets

typedef enum { NEEDS_NOTHING, NEEDS_AVX2, NEEDS_AVX512, NEEDS_NEVER } Needs;

typedef struct {
    const char *name;
    arch_t id;
    Needs needs;
} KernelSet;

// The sets this BLIS was built with. 'knl' needs Xeon Phi instructions and
// the AMD Bulldozer line FMA4, which no CPU the course runs on has; 'penryn'
// and 'sandybridge' run on anything with AVX2 (their SSE / AVX kernels).
static const KernelSet SETS[] = {
#ifdef BLIS_CONFIG_SKX
    {"skx", BLIS_ARCH_SKX, NEEDS_AVX512},
#endif
#ifdef BLIS_CONFIG_KNL
    {"knl", BLIS_ARCH_KNL, NEEDS_NEVER},
#endif
#ifdef BLIS_CONFIG_HASWELL
    {"haswell", BLIS_ARCH_HASWELL, NEEDS_AVX2},
#endif
#ifdef BLIS_CONFIG_SANDYBRIDGE
    {"sandybridge", BLIS_ARCH_SANDYBRIDGE, NEEDS_AVX2},
#endif
#ifdef BLIS_CONFIG_PENRYN
    {"penryn", BLIS_ARCH_PENRYN, NEEDS_AVX2},
#endif
#ifdef BLIS_CONFIG_ZEN3
    {"zen3", BLIS_ARCH_ZEN3, NEEDS_AVX2},
#endif
#ifdef BLIS_CONFIG_ZEN2
    {"zen2", BLIS_ARCH_ZEN2, NEEDS_AVX2},
#endif
#ifdef BLIS_CONFIG_ZEN
    {"zen", BLIS_ARCH_ZEN, NEEDS_AVX2},
#endif
#ifdef BLIS_CONFIG_EXCAVATOR
    {"excavator", BLIS_ARCH_EXCAVATOR, NEEDS_NEVER},
#endif
#ifdef BLIS_CONFIG_STEAMROLLER
    {"steamroller", BLIS_ARCH_STEAMROLLER, NEEDS_NEVER},
#endif
#ifdef BLIS_CONFIG_PILEDRIVER
    {"piledriver", BLIS_ARCH_PILEDRIVER, NEEDS_NEVER},
#endif
#ifdef BLIS_CONFIG_BULLDOZER
    {"bulldozer", BLIS_ARCH_BULLDOZER, NEEDS_NEVER},
#endif
#ifdef BLIS_CONFIG_GENERIC
    {"generic", BLIS_ARCH_GENERIC, NEEDS_NOTHING},
#endif
};
enum { N_SETS = sizeof SETS / sizeof SETS[0] };

static const KernelSet *find_set(const char *name) {
    for (int i = 0; i < N_SETS; i++)
        if (strcmp(SETS[i].name, name) == 0) return &SETS[i];
    return NULL;
}

static int can_run(const KernelSet *s, const CpuDesc *cpu) {
    switch (s->needs) {
    case NEEDS_NOTHING: return 1;
    case NEEDS_AVX2: return cpu->avx2_fma;
    case NEEDS_AVX512: return cpu->avx512;
    default: return 0;
    }
}

int blas_kernels_runnable(const char *name, const CpuDesc *cpu) {
    const KernelSet *s = find_set(name);
    return s && can_run(s, cpu);
}

const char *const *blas_kernel_names(void) {
    static const char *names[N_SETS + 1];
    for (int i = 0; i < N_SETS; i++) names[i] = SETS[i].name;
    names[N_SETS] = NULL;
    return names;
}

// ---------------------------------------------------------------- choosing, once

static pthread_once_t chosen_once = PTHREAD_ONCE_INIT;
static const char *wanted;        // the set asked of BLIS; NULL: BLIS's own pick
static char reason[160] = "BLIS's own pick";

// Asks BLIS for a set through BLIS_ARCH_TYPE, which it reads once, when it starts.
static void ask_blis(const KernelSet *s) {
    char id[16];
    snprintf(id, sizeof id, "%d", (int)s->id);
    setenv("BLIS_ARCH_TYPE", id, 1);
    wanted = s->name;
}

static void choose(void) {
    CpuDesc cpu;
    cpu_describe(&cpu);
    if (getenv("BLIS_ARCH_TYPE")) {
        snprintf(reason, sizeof reason, "BLIS_ARCH_TYPE=%s, set by the user",
                 getenv("BLIS_ARCH_TYPE"));
        return;
    }
    const char *env = getenv("GAN_GEMM_KERNELS");
    if (env && *env) {
        const KernelSet *s = find_set(env);
        if (strcmp(env, "blis") == 0) {
            snprintf(reason, sizeof reason, "GAN_GEMM_KERNELS=blis: BLIS's own pick");
            return;
        }
        if (s && can_run(s, &cpu)) {
            ask_blis(s);
            snprintf(reason, sizeof reason, "GAN_GEMM_KERNELS=%s", env);
            return;
        }
        char list[256] = "blis";
        for (int i = 0; i < N_SETS; i++)
            if (can_run(&SETS[i], &cpu))
                snprintf(list + strlen(list), sizeof list - strlen(list), ", %s", SETS[i].name);
        fprintf(stderr, "GAN_GEMM_KERNELS: expected one of %s (the kernel sets this BLIS has "
                "and this CPU runs), found \"%s\"%s; using the library's rule\n", list, env,
                s ? " (this CPU lacks its instructions)" : "");
    }
    const char *why;
    const char *name = gemm_kernel_rule(&cpu, &why);
    const KernelSet *s = name ? find_set(name) : NULL;
    if (s && can_run(s, &cpu)) {
        ask_blis(s);
        snprintf(reason, sizeof reason, "rule: %s", why);
    } else if (name) {
        snprintf(reason, sizeof reason, "rule: %s, but this BLIS lacks '%s': BLIS's own pick",
                 why, name);
    } else {
        snprintf(reason, sizeof reason, "rule: %s", why);
    }
}

void gemm_kernels_select(void) {
    pthread_once(&chosen_once, choose);
}

static pthread_once_t started_once = PTHREAD_ONCE_INIT;
static const char *running = "unknown";

static void start_blis(void) {
    gemm_kernels_select();
    bli_init();
    running = bli_arch_string(bli_arch_query_id());
    if (wanted && strcmp(wanted, running) != 0)
        snprintf(reason, sizeof reason, "BLIS had started before the library chose '%s'",
                 wanted);
}

const char *gemm_kernel_set(void) {
    pthread_once(&started_once, start_blis);
    return running;
}

const char *gemm_kernel_reason(void) {
    gemm_kernel_set();
    return reason;
}
