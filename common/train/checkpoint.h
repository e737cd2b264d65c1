// checkpoint.h - save and restore a training run: every model's weights and
// buffers, its optimiser state, the step, the RNG, any other state of the
// run (named blobs of bytes: more RNG streams, an image pool, a batcher's
// order) and a little metadata, so a resumed run continues the same curve.
//
// One file holds several models (CycleGAN has four), each a ParamSet with an
// optional Optimizer. Saving is atomic: the file is written under a temporary
// name in the same folder, flushed to disk, then renamed over the old one, so
// a crash mid-save leaves the previous checkpoint intact.
//
// Format (version 2, little-endian, all headers before all data):
//   "GANCKPT\0", u32 version, u32 n_models, i64 step, i32 epoch,
//   u32 has_rng, u64 rng state, u64 rng inc, i32 has_spare, f32 spare,
//   char meta[256]
//   per model: char name[32], u32 n_params, u32 n_buffers,
//     per tensor (parameters, then buffers): char name[48], u32 ndim, u32 dims[4],
//     u32 optimiser kind (0 none, 1 SGD, 2 Adam), u32 moment count (0..2), i64 opt step
//   u32 n_blobs, per blob: char name[32], u64 bytes
//   per model: params (f32 * size), buffers (f32 * buf_size), moments (f32 * size each)
//   per blob: its bytes
//   u32 CRC-32 (zlib's) of every byte before it
// Version 1 files (no blobs, no checksum) are still read.
// Loading checks everything (magic, version, size, checksum, names, shapes)
// before it touches the models; on any mismatch it returns -1 and says, in
// err, the file, what was expected and what was found.
#ifndef CHECKPOINT_H
#define CHECKPOINT_H

#include "util/error.h"
#include "nn/optim.h"
#include "util/rng.h"

#define CHECKPOINT_VERSION 2
#define CHECKPOINT_NAME_LEN 32
#define CHECKPOINT_META_LEN 256

typedef struct {
    const char *name;   // "G", "D_A", ...: stored, and checked on load
    ParamSet *params;
    Optimizer *opt;     // NULL: save none; on load, ignore the saved state
} CheckpointModel;

typedef struct {
    long step;                        // training steps done
    int epoch;                        // epochs done
    char meta[CHECKPOINT_META_LEN];   // free-form, e.g. "lesson 05 pix2pix lambda=100"
} CheckpointInfo;

// A run's other state, saved and restored byte for byte.
typedef struct {
    const char *name;   // at most CHECKPOINT_NAME_LEN - 1 characters; checked on load
    void *data;
    size_t bytes;       // checked on load: the file's must be the same
} CheckpointBlob;

// rng may be NULL (no RNG state saved).
int checkpoint_save(const char *path, const CheckpointModel *models, int n_models,
                    const CheckpointInfo *info, const Rng *rng, Error *err);
// The models must be built with the same shapes (and optimisers of the same
// kind) as when saved. info and rng may be NULL when not wanted.
int checkpoint_load(const char *path, CheckpointModel *models, int n_models,
                    CheckpointInfo *info, Rng *rng, Error *err);

// The same with blobs: on load, the file's blobs must be these (names, order,
// sizes), and they are written only once everything has been checked.
// checkpoint_load skips whatever blobs the file has.
int checkpoint_save_all(const char *path, const CheckpointModel *models, int n_models,
                        const CheckpointInfo *info, const Rng *rng, const CheckpointBlob *blobs,
                        int n_blobs, Error *err);
int checkpoint_load_all(const char *path, CheckpointModel *models, int n_models,
                        CheckpointInfo *info, Rng *rng, CheckpointBlob *blobs, int n_blobs,
                        Error *err);

// The bytes a checkpoint of these takes on disk (blobs may be NULL).
long checkpoint_file_bytes(const CheckpointModel *models, int n_models,
                           const CheckpointBlob *blobs, int n_blobs);

// Loads the weights and buffers of the named models only (a subset of the
// file's, in any order, e.g. CycleGAN's "G_AB" alone for inference); their
// opt is ignored, the file's optimiser, RNG and other state are skipped.
// A name the file does not hold is refused, listing the names it holds.
int checkpoint_load_networks(const char *path, CheckpointModel *models, int n_models,
                             CheckpointInfo *info, Error *err);

// Whether path is a whole checkpoint (headers, size, checksum) without any
// model: info gets its step, epoch and metadata. For tools and tests.
int checkpoint_verify(const char *path, CheckpointInfo *info, Error *err);

// Only the step, the epoch and the metadata, without building a model: e.g.
// to learn from the metadata which network to build before checkpoint_load.
// A file that is not a checkpoint of this version is refused as by checkpoint_load.
int checkpoint_read_info(const char *path, CheckpointInfo *info, Error *err);

#endif
