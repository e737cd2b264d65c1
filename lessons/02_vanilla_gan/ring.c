// ring.c - see ring.h.
#include "ring.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "train/csvlog.h"
#include "train/plot.h"

void l02_ring_sample(float *x, int n, Rng *rng) {
    for (int i = 0; i < n; i++) {
        float a = 2.0f * (float)M_PI * rng_int(rng, L02_RING_MODES) / L02_RING_MODES;
        x[2 * i] = L02_RING_RADIUS * cosf(a) + L02_RING_STD * rng_normal(rng);
        x[2 * i + 1] = L02_RING_RADIUS * sinf(a) + L02_RING_STD * rng_normal(rng);
    }
}

void l02_ring_coverage(const float *x, int n, int *modes, float *good) {
    int count[L02_RING_MODES] = {0}, n_good = 0;
    for (int i = 0; i < n; i++)
        for (int k = 0; k < L02_RING_MODES; k++) {
            float a = 2.0f * (float)M_PI * k / L02_RING_MODES;
            float dx = x[2 * i] - L02_RING_RADIUS * cosf(a);
            float dy = x[2 * i + 1] - L02_RING_RADIUS * sinf(a);
            if (dx * dx + dy * dy <= 9.0f * L02_RING_STD * L02_RING_STD) {
                count[k]++;
                n_good++;
                break;
            }
        }
    *modes = 0;
    for (int k = 0; k < L02_RING_MODES; k++) *modes += count[k] >= n / 100;
    *good = (float)n_good / n;
}

int l02_ring_snapshot(L02Gan *gan, int z_dim, int batch, long step, const char *png,
                      const char *csv, Rng *rng, Error *err) {
    enum { N = L02_RING_SNAPSHOT_POINTS };
    static float real[2 * N], z[N * 16], fake[2 * N];
    l02_ring_sample(real, N, rng);
    rng_fill_normal(rng, z, N * z_dim, 0.0f, 1.0f);
    for (int i = 0; i < N; i += batch) {   // G's buffers hold one batch
        int b = N - i < batch ? N - i : batch;
        memcpy(fake + 2 * i, l02_mlp_forward(&gan->g, z + (long)i * z_dim, b),
               sizeof(float) * 2 * b);
    }
    int modes;
    float good;
    l02_ring_coverage(fake, N, &modes, &good);

    char title[128];
    snprintf(title, sizeof title, "step %ld: %d of 8 modes, %.0f%% of samples on a mode", step,
             modes, 100.0f * good);
    CsvLog log;
    if (csvlog_open(&log, csv, "step,x_real,y_real,x_fake,y_fake", -1, err) != 0) return -1;
    for (int i = 0; i < N; i++) {
        double row[] = {step, real[2 * i], real[2 * i + 1], fake[2 * i], fake[2 * i + 1]};
        if (csvlog_write(&log, row, err) != 0) {
            csvlog_close(&log);
            return -1;
        }
    }
    csvlog_close(&log);
    Error plot_err;
    if (plot_scatter(png, real, N, "real", fake, N, "generated", title, &plot_err) != 0)
        fprintf(stderr, "no scatter plot: %s\n", plot_err.msg);
    printf("  %s\n", title);
    return 0;
}
