// p2p_metrics.h - how close and how sharp a generator's outputs are:
// the numbers of lesson 05's ablation table.
//
// Images are (N, C, H, W) floats in [-1, 1], outputs and targets of equal shape.
//   L1         mean |output - target| over every value, in [-1, 1] units
//              (the quantity L1 training minimises)
//   PSNR       10 log10(1 / MSE) in dB with pixels rescaled to [0, 1], per
//              image, then averaged over the images
//   sharpness  the mean image-gradient magnitude of the outputs over that of
//              the targets, where a pixel's gradient magnitude is
//              sqrt(dx^2 + dy^2) of forward differences (the last row and
//              column are left out). A blurry output has weaker edges: a ratio
//              below 1; a ratio near 1 has the targets' edge strength (which
//              says nothing about whether the edges are in the right place:
//              read it beside L1).
//   colour     the mean saturation of the outputs over that of the targets,
//              where a pixel's saturation is max(R,G,B) - min(R,G,B) (RGB
//              images only). Averaging several plausible colourings, as L1
//              does, gives a greyer colour: a ratio below 1.
#ifndef P2P_METRICS_H
#define P2P_METRICS_H

typedef struct {
    double abs_sum;      // sum |output - target|
    long values;         // how many values were compared
    double psnr_sum;     // sum of per-image PSNR
    int images;
    double grad_out;     // sum of gradient magnitudes of the outputs
    double grad_target;  // ... and of the targets
    double sat_out;      // sum of per-pixel saturations of the outputs (RGB only)
    double sat_target;   // ... and of the targets
} P2pMetrics;

void p2p_metrics_init(P2pMetrics *m);
void p2p_metrics_add(P2pMetrics *m, const float *out, const float *target, int n, int c, int h,
                     int w);
double p2p_metrics_l1(const P2pMetrics *m);
double p2p_metrics_psnr(const P2pMetrics *m);
double p2p_metrics_sharpness(const P2pMetrics *m);
double p2p_metrics_colour(const P2pMetrics *m);

// The mean gradient magnitude of one image (C, H, W), as above.
double p2p_mean_gradient(const float *img, int c, int h, int w);
// The mean saturation of one RGB image (3, H, W), on the [0, 1] scale.
double p2p_mean_saturation(const float *img, int h, int w);

#endif
