// pix2pix_metrics.h - how close and how sharp a generator's outputs are:
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
//              column are left out). It counts every edge, the sketch's
//              outlines too, which a U-Net copies from its input.
//   fill sharpness
//              the root-mean-square gradient (sqrt of the mean of
//              dx^2 + dy^2) of the outputs over that of the targets, counted
//              only on the pixels of the fills: at least L05_FILL_GAP pixels
//              (in rows and in columns) away from every ink pixel of the input
//              sketch (ink: the mean over the sketch's channels below 0, i.e.
//              darker than mid-grey). What is left is what the sketch does not
//              say: shading, colour changes inside a region, texture. Squares,
//              not magnitudes: blurring a lone edge over k pixels keeps the sum
//              of |dx| (the same total rise) but divides the sum of dx^2 by k.
//              A blurry or washed-out fill: a ratio below 1. (Noise and
//              artefacts in the fills count as "sharp": read it beside the
//              pictures.)
//   colour     the mean saturation of the outputs over that of the targets,
//              where a pixel's saturation is max(R,G,B) - min(R,G,B) (RGB
//              images only). Averaging several plausible colourings, as L1
//              does, gives a greyer colour: a ratio below 1.
#ifndef PIX2PIX_METRICS_H
#define PIX2PIX_METRICS_H

// An outline is 1-2 pixels wide and a copied one blurs a pixel to each side:
// 3 pixels away is clear of it, and of the forward differences that touch it.
#define L05_FILL_GAP 3

typedef struct {
    double abs_sum;      // sum |output - target|
    long values;         // how many values were compared
    double psnr_sum;     // sum of per-image PSNR
    int images;
    double grad_out;     // sum of per-image mean gradient magnitudes of the outputs
    double grad_target;  // ... and of the targets
    double fill_out;     // sum of dx^2 + dy^2 over the fill pixels of the outputs
    double fill_target;  // ... and of the targets
    long fill_pixels;    // how many (pixel, channel) values those sums hold
    double sat_out;      // sum of per-pixel saturations of the outputs (RGB only)
    double sat_target;   // ... and of the targets
} L05Metrics;

void l05_metrics_init(L05Metrics *m);
// out, target (n, c, h, w); x (n, cx, h, w) the input sketches, or NULL to
// leave the fill sharpness out.
void l05_metrics_add(L05Metrics *m, const float *out, const float *target, const float *x, int cx,
                     int n, int c, int h, int w);
double l05_metrics_l1(const L05Metrics *m);
double l05_metrics_psnr(const L05Metrics *m);
double l05_metrics_sharpness(const L05Metrics *m);
double l05_metrics_fill_sharpness(const L05Metrics *m);
double l05_metrics_colour(const L05Metrics *m);

// The mean gradient magnitude of one image (C, H, W), as above.
double l05_mean_gradient(const float *img, int c, int h, int w);
// fill (h, w): 1 where sketch x (cx, h, w) has no ink pixel within
// L05_FILL_GAP - 1 rows and columns, else 0. Returns how many pixels are 1.
int l05_fill_mask(unsigned char *fill, const float *x, int cx, int h, int w);
// The sum of dx^2 + dy^2 of img (c, h, w) over the pixels where fill is 1
// (the last row and column left out); *count += how many values it holds.
double l05_fill_energy(const float *img, const unsigned char *fill, int c, int h, int w,
                       long *count);
// The mean saturation of one RGB image (3, H, W), on the [0, 1] scale.
double l05_mean_saturation(const float *img, int h, int w);

#endif
