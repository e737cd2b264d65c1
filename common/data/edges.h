// edges.h - line drawings from pictures: XDoG (eXtended Difference of
// Gaussians, Winnemöller, Kyprianidis and Olsen, 2012) on the luminance.
//
// This is how the course makes the "sketch" half of its Pix2Pix pairs, and a
// student can run the same code on any picture (build/tools/edges).
//
// The recipe, on the luminance L in [0, 1] (Rec. 601, as image_read_png):
//   D = G_sigma * L - tau * G_{k sigma} * L        (a difference of two blurs)
//   sketch = 1                            where D >= epsilon   (paper: white)
//          = 1 + tanh(phi * (D - epsilon)) elsewhere           (ink, 0 = black)
// With tau = 1 the blur difference is zero on flat areas, whatever their
// brightness, and negative on the darker side of an edge: so the ink follows
// the edges and dark flat areas stay white, as in a line drawing. tau below 1
// adds (1 - tau) * L, which whitens flat areas further but also erases faint
// edges (yellow on white differs by only 0.2 in L). A slightly negative
// epsilon ignores gentle shading; phi sets how hard the threshold is (large
// phi: nearly black-or-white lines).
//
// Dimension letters: C channels (1 gray or 3 RGB), H rows, W columns.
#ifndef EDGES_H
#define EDGES_H

typedef struct {
    float sigma;     // inner blur's standard deviation, in pixels: the line width scale
    float k;         // outer blur = k * sigma; 1.6 makes D approximate a Laplacian of Gaussian
    float tau;       // weight of the outer blur: 1, or just below
    float epsilon;   // D below this becomes ink; slightly negative ignores gentle shading
    float phi;       // steepness of the ink ramp
} XdogParams;

// The course's setting, chosen by eye on the 64x64 emoji: one- to two-pixel
// dark lines on white.
#define XDOG_DEFAULTS \
    ((XdogParams){.sigma = 0.7f, .k = 1.6f, .tau = 1.0f, .epsilon = -0.005f, .phi = 300.0f})

// Floats of scratch edges_xdog needs for an H x W image.
#define EDGES_XDOG_SCRATCH(h, w) (3 * (long)(h) * (w))

// out (H, W) = the Rec. 601 luminance of img (C, H, W), both in [-1, 1].
void edges_luminance(float *out, const float *img, int c, int h, int w);

// out (H, W) = in (H, W) blurred by a Gaussian of standard deviation sigma
// (> 0), truncated at 3 sigma and renormalised; pixels outside the image
// repeat the nearest edge pixel, so the border makes no edges.
// scratch holds H * W floats. out may alias in.
void edges_gaussian_blur(float *out, float *scratch, const float *in, int h, int w, float sigma);

// out (H, W) = the XDoG sketch of img (C, H, W), in [-1, 1]: 1 is white paper,
// -1 black ink. scratch holds EDGES_XDOG_SCRATCH(h, w) floats.
void edges_xdog(float *out, float *scratch, const float *img, int c, int h, int w,
                const XdogParams *p);

#endif
