// spatial.c - the shape-changing ops on NCHW tensors.
//
// B = batch, C = channels, H, W = input size, P = padding per side,
// HW = H * W. Each (sample, channel) pair is an independent plane, so the
// bigger ops split their planes across threads.
#include "kernels/spatial.h"

#include <math.h>
#include <string.h>

// Below this many input floats, starting threads costs more than it saves.
#define PARALLEL_MIN (1 << 15)

// ---------------------------------------------------------------- zero padding

void pad_zero_forward(float *out, const float *inp, int B, int C, int H, int W, int P) {
    int OH = H + 2 * P, OW = W + 2 * P;
    #pragma omp parallel for if (B * C * H * W >= PARALLEL_MIN)
    for (int bc = 0; bc < B * C; bc++) {
        const float *x = inp + (long)bc * H * W;   // (H, W)
        float *y = out + (long)bc * OH * OW;       // (OH, OW)
        memset(y, 0, sizeof(float) * OH * OW);
        for (int h = 0; h < H; h++) memcpy(y + (h + P) * OW + P, x + h * W, sizeof(float) * W);
    }
}

void pad_zero_backward(float *dinp, const float *dout, int B, int C, int H, int W, int P) {
    int OH = H + 2 * P, OW = W + 2 * P;
    #pragma omp parallel for if (B * C * H * W >= PARALLEL_MIN)
    for (int bc = 0; bc < B * C; bc++) {
        float *dx = dinp + (long)bc * H * W;
        const float *dy = dout + (long)bc * OH * OW;
        // the border held constants: only the interior passes gradient back
        for (int h = 0; h < H; h++)
            for (int w = 0; w < W; w++) dx[h * W + w] += dy[(h + P) * OW + w + P];
    }
}

// ---------------------------------------------------------------- reflection padding

// Index into a row of n pixels for position i in [-P, n + P), mirrored at
// the edges without repeating the edge pixel: -1 -> 1, n -> n - 2.
static int reflect(int i, int n) {
    if (i < 0) return -i;
    if (i >= n) return 2 * (n - 1) - i;
    return i;
}

void pad_reflect_forward(float *out, const float *inp, int B, int C, int H, int W, int P) {
    int OH = H + 2 * P, OW = W + 2 * P;
    #pragma omp parallel for if (B * C * H * W >= PARALLEL_MIN)
    for (int bc = 0; bc < B * C; bc++) {
        const float *x = inp + (long)bc * H * W;
        float *y = out + (long)bc * OH * OW;
        // The middle of each row is a straight copy; only the P pixels at
        // either end are mirrored (reflect() per pixel was the whole cost).
        for (int oh = 0; oh < OH; oh++) {
            const float *row = x + reflect(oh - P, H) * W;
            float *yr = y + (long)oh * OW;
            for (int ow = 0; ow < P; ow++) yr[ow] = row[reflect(ow - P, W)];
            memcpy(yr + P, row, sizeof(float) * W);
            for (int ow = P + W; ow < OW; ow++) yr[ow] = row[reflect(ow - P, W)];
        }
    }
}

void pad_reflect_backward(float *dinp, const float *dout, int B, int C, int H, int W, int P) {
    int OH = H + 2 * P, OW = W + 2 * P;
    // a pixel near the edge appears up to four times in the output (itself and
    // its mirror images); its gradient is the sum over all of them
    #pragma omp parallel for if (B * C * H * W >= PARALLEL_MIN)
    for (int bc = 0; bc < B * C; bc++) {
        float *dx = dinp + (long)bc * H * W;
        const float *dy = dout + (long)bc * OH * OW;
        for (int oh = 0; oh < OH; oh++) {
            float *drow = dx + reflect(oh - P, H) * W;
            const float *dyr = dy + (long)oh * OW;
            // in the order of ow, as one loop would: the sums round the same
            for (int ow = 0; ow < P; ow++) drow[reflect(ow - P, W)] += dyr[ow];
            for (int w = 0; w < W; w++) drow[w] += dyr[P + w];   // the middle, vectorised
            for (int ow = P + W; ow < OW; ow++) drow[reflect(ow - P, W)] += dyr[ow];
        }
    }
}

// ---------------------------------------------------------------- nearest upsampling

void upsample_nearest2x_forward(float *out, const float *inp, int B, int C, int H, int W) {
    int OW = 2 * W;
    #pragma omp parallel for if (B * C * H * W >= PARALLEL_MIN)
    for (int bc = 0; bc < B * C; bc++) {
        const float *x = inp + (long)bc * H * W;
        float *y = out + (long)bc * 4 * H * W;   // (2H, 2W)
        for (int h = 0; h < H; h++) {
            float *row = y + 2 * h * OW;
            for (int w = 0; w < W; w++) row[2 * w] = row[2 * w + 1] = x[h * W + w];
            memcpy(row + OW, row, sizeof(float) * OW);   // the second copy of the row
        }
    }
}

void upsample_nearest2x_backward(float *dinp, const float *dout, int B, int C, int H, int W) {
    int OW = 2 * W;
    #pragma omp parallel for if (B * C * H * W >= PARALLEL_MIN)
    for (int bc = 0; bc < B * C; bc++) {
        float *dx = dinp + (long)bc * H * W;
        const float *dy = dout + (long)bc * 4 * H * W;
        // each input pixel was copied into a 2x2 block: its gradient is the block's sum
        for (int h = 0; h < H; h++)
            for (int w = 0; w < W; w++) {
                const float *blk = dy + 2 * h * OW + 2 * w;
                dx[h * W + w] += blk[0] + blk[1] + blk[OW] + blk[OW + 1];
            }
    }
}

// ---------------------------------------------------------------- max-pooling

// The candidate at index i, value v, replaces the best so far when larger or
// NaN: the first maximum wins ties and a NaN propagates, as in PyTorch.
// Written as selects, not branches: on real activations the comparisons
// are unpredictable, and the mispredictions cost more than the arithmetic.
static inline void pool_take(float *best, int *best_i, float v, int i) {
    int take = (v > *best) | (v != v);
    *best = take ? v : *best;
    *best_i = take ? i : *best_i;
}

// One output pixel whose window starts at (h0, w0), cut to the pixels that exist.
static inline void pool_window(float *y, int *idx, const float *x, int H, int W, int h0, int w0) {
    int h1 = h0 + 2 < H ? h0 + 2 : H, w1 = w0 + 2 < W ? w0 + 2 : W;
    int best_i = h0 * W + w0;
    float best = x[best_i];
    for (int h = h0; h < h1; h++)
        for (int w = w0; w < w1; w++)
            if (h != h0 || w != w0) pool_take(&best, &best_i, x[h * W + w], h * W + w);
    *y = best;
    *idx = best_i;
}

void maxpool2x2_forward(float *out, int *argmax, const float *inp, int B, int C, int H, int W) {
    // ceil mode: an odd last row or column gets a window of its own, cut to
    // the pixels that exist
    int OH = (H + 1) / 2, OW = (W + 1) / 2;
    int full_h = H / 2, full_w = W / 2;   // windows with all four pixels
    #pragma omp parallel for if (B * C * H * W >= PARALLEL_MIN)
    for (int bc = 0; bc < B * C; bc++) {
        const float *x = inp + (long)bc * H * W;
        float *y = out + (long)bc * OH * OW;
        int *idx = argmax + (long)bc * OH * OW;   // index h * W + w within the plane
        for (int oh = 0; oh < OH; oh++) {
            int ow = 0;
            if (oh < full_h)
                for (; ow < full_w; ow++) {
                    int i = 2 * oh * W + 2 * ow;   // the window's top-left pixel
                    float best = x[i];
                    int best_i = i;
                    pool_take(&best, &best_i, x[i + 1], i + 1);
                    pool_take(&best, &best_i, x[i + W], i + W);
                    pool_take(&best, &best_i, x[i + W + 1], i + W + 1);
                    y[oh * OW + ow] = best;
                    idx[oh * OW + ow] = best_i;
                }
            for (; ow < OW; ow++)
                pool_window(y + oh * OW + ow, idx + oh * OW + ow, x, H, W, 2 * oh, 2 * ow);
        }
    }
}

void maxpool2x2_backward(float *dinp, const int *argmax, const float *dout, int B, int C, int H,
                         int W) {
    int OH = (H + 1) / 2, OW = (W + 1) / 2;
    // windows do not overlap, so each input pixel receives at most one gradient
    #pragma omp parallel for if (B * C * H * W >= PARALLEL_MIN)
    for (int bc = 0; bc < B * C; bc++) {
        float *dx = dinp + (long)bc * H * W;
        const float *dy = dout + (long)bc * OH * OW;
        const int *idx = argmax + (long)bc * OH * OW;
        for (int o = 0; o < OH * OW; o++) dx[idx[o]] += dy[o];
    }
}

// ---------------------------------------------------------------- concatenation and addition

void concat_channels_forward(float *out, const float *a, const float *b, int B, int CA, int CB,
                             int HW) {
    // per sample, a's channels then b's: two contiguous blocks
    long na = (long)CA * HW, nb = (long)CB * HW;
    for (int s = 0; s < B; s++) {
        memcpy(out + s * (na + nb), a + s * na, sizeof(float) * na);
        memcpy(out + s * (na + nb) + na, b + s * nb, sizeof(float) * nb);
    }
}

void concat_channels_backward(float *da, float *db, const float *dout, int B, int CA, int CB,
                              int HW) {
    long na = (long)CA * HW, nb = (long)CB * HW;
    for (int s = 0; s < B; s++) {
        const float *dy = dout + s * (na + nb);
        if (da)
            for (long i = 0; i < na; i++) da[s * na + i] += dy[i];
        if (db)
            for (long i = 0; i < nb; i++) db[s * nb + i] += dy[na + i];
    }
}

void add_forward(float *out, const float *a, const float *b, int n) {
    for (int i = 0; i < n; i++) out[i] = a[i] + b[i];
}

void add_backward(float *da, float *db, const float *dout, int n) {
    if (da)
        for (int i = 0; i < n; i++) da[i] += dout[i];
    if (db)
        for (int i = 0; i < n; i++) db[i] += dout[i];
}

// ---------------------------------------------------------------- AdaIN statistics

void mean_std_hw_forward(float *mean, float *std, const float *inp, float eps, int B, int C,
                         int HW) {
    // two passes in double: the one-pass E[x^2] - E[x]^2 cancels badly
    #pragma omp parallel for if (B * C * HW >= PARALLEL_MIN)
    for (int bc = 0; bc < B * C; bc++) {
        const float *x = inp + (long)bc * HW;
        double sum = 0.0;
        for (int i = 0; i < HW; i++) sum += x[i];
        double m = sum / HW;
        double ss = 0.0;
        for (int i = 0; i < HW; i++) ss += (x[i] - m) * (x[i] - m);
        mean[bc] = (float)m;
        std[bc] = (float)sqrt(ss / (HW - 1) + eps);   // unbiased: divide by HW - 1
    }
}

void mean_std_hw_backward(float *dinp, const float *dmean, const float *dstd, const float *inp,
                          const float *mean, const float *std, int B, int C, int HW) {
    // d mean / d x_i = 1/HW. With var = sum (x - mean)^2 / (HW-1):
    // d var / d x_i = 2 (x_i - mean) / (HW-1) (the terms through the mean sum
    // to zero), and d std / d var = 1 / (2 std).
    #pragma omp parallel for if (B * C * HW >= PARALLEL_MIN)
    for (int bc = 0; bc < B * C; bc++) {
        float *dx = dinp + (long)bc * HW;
        const float *x = inp + (long)bc * HW;
        float g_mean = dmean ? dmean[bc] / HW : 0.0f;
        float g_dev = dstd ? dstd[bc] / ((HW - 1) * std[bc]) : 0.0f;
        for (int i = 0; i < HW; i++) dx[i] += g_mean + g_dev * (x[i] - mean[bc]);
    }
}
