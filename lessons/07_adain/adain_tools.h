// adain_tools.h - what lesson 07's two programs share: the training program
// (main.c) and `stylize` (cmd_stylize.c: your own photos through a trained
// decoder).
#ifndef ADAIN_TOOLS_H
#define ADAIN_TOOLS_H

#include "adain_data.h"

// The content x style grid as one PNG: the first row holds a white cell
// then the style images, each further row a content image then its outputs
// (contents (nc, 3, S, S), styles (ns, 3, S, S)).
int adain_write_grid(AdainNet *n, const char *path, const float *contents, int nc,
                     const float *styles, int ns, int S, float alpha, Error *err);
// One content image and one style: content | alpha = 0, 1/(k-1), ..., 1 | style.
int adain_write_alpha_row(AdainNet *n, const char *path, const float *content,
                          const float *style, int S, int k, Error *err);

// metrics.txt: every held-out pair (nc_all x ns_all) at alpha 1, then the
// first nc x ns at alpha 0.75 ... 0 (printed too), and the run's settings;
// *at_one gets alpha 1's numbers.
int adain_write_metrics(AdainNet *n, const char *path, AdainEval *at_one, const float *contents,
                        int nc_all, int nc, const float *styles, int ns_all, int ns, int S,
                        int batch, long steps, Error *err);

// "label (N pairs): style out ... content ... colour ... | content loss ... | structure ..."
void adain_print_eval(const char *label, const AdainEval *e);

// The training program's encoder: loaded from path (an encoder file), or,
// path NULL, the random one calibrated (adain_calibrate, with n->calib_open)
// on centre crops of the first calib / 2 training contents and styles.
int adain_setup_encoder(AdainNet *n, const char *path, const AdainImages *contents,
                        const AdainImages *styles, int calib, int crop, int centre, Error *err);

// Builds the network of a decoder checkpoint: the encoder from encoder_path
// (the run folder's encoder.bin, or tools/convert_vgg.py's file), then the
// decoder, refused when the checkpoint names another encoder.
int adain_load_trained(AdainNet *n, const char *checkpoint, const char *encoder_path, Error *err);

#endif
