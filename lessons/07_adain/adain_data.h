// adain_data.h - lesson 07's images: a folder of photographs or paintings
// (PNG or JPEG, any size) scaled to a short side, random square crops for
// training, centre crops for the held-out measurements; and those
// measurements (adain_eval.c).
#ifndef ADAIN_DATA_H
#define ADAIN_DATA_H

#include "adain.h"
#include "util/rng.h"

typedef struct {
    int n;
    float **img;     // each (3, h[i], w[i]) in [-1, 1]
    int *h, *w;
    char (*names)[128];
} AdainImages;

// Every .png, .jpg and .jpeg of dir in name order, each scaled (bilinear)
// so that its short side is short_side pixels. -1 with a message naming the
// folder when it holds none, or the file that cannot be read.
int adain_images_load(AdainImages *s, const char *dir, int short_side, Error *err);
void adain_images_free(AdainImages *s);

// root/train and root/test, as adain_images_load.
int adain_load_splits(AdainImages *train, AdainImages *test, const char *root, int short_side,
                      Error *err);
// Centre crops of every image of a set, a new array (n, 3, S, S).
float *adain_centre_crops(const AdainImages *set, int S);

// out (3, S, S): a random S x S window of image i, mirrored with probability 1/2.
void adain_random_crop(float *out, const AdainImages *s, int i, int S, Rng *rng);
// out (3, S, S): the centre S x S window of image i.
void adain_centre_crop(float *out, const AdainImages *s, int i, int S);

// Image c (3, ch, cw) re-coloured to image s's (3, sh, sw) per-channel pixel
// mean and std (AdaIN on pixels), clamped to [-1, 1] into out (3, ch, cw):
// the cheap baseline of the measurements (c a content image, s a style), and
// colour preservation (c a style image, s the content).
void adain_colour_transfer(float *out, const float *c, int ch, int cw, const float *s, int sh,
                           int sw);

// What the held-out pairs measure, means over every content x style pair,
// all through the library's own tape ops (never the exercises'):
//   style_*    the style loss (adain.h's L_s) against the style image, of the
//              output, of the content image itself and of the colour transfer
//   content_*  the content loss MSE(f(x), t) of each against the full-style target t
//   struct_*   MSE between instance-normalised relu4_1 features of x and of the
//              content image: 0 when the layout is the content's, whatever the colours
//   psnr0      PSNR (dB) of the alpha = 0 output against the content image
typedef struct {
    double style_out, style_content, style_colour;
    double content_out, content_content, content_colour;
    double struct_out, struct_colour;
    double psnr0;
    int pairs;
} AdainEval;

// contents (nc, 3, S, S), styles (ns, 3, S, S); outputs at the given alpha.
void adain_evaluate(AdainNet *n, AdainEval *e, const float *contents, int nc,
                    const float *styles, int ns, int S, float alpha);

#endif
