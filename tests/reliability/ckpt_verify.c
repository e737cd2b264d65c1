// ckpt_verify.c - whether a checkpoint is whole (headers, size, checksum):
// prints "PATH: step N" and exits 0, or the reason and exits 1. The
// reliability tests run it after every kill.
#include <stdio.h>

#include "train/checkpoint.h"

int main(int argc, char **argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: %s CHECKPOINT\n", argv[0]);
        return 2;
    }
    CheckpointInfo info;
    Error err;
    if (checkpoint_verify(argv[1], &info, &err) != 0) {
        fprintf(stderr, "%s\n", err.msg);
        return 1;
    }
    printf("%s: step %ld\n", argv[1], info.step);
    return 0;
}
