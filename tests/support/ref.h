// ref.h - reads the reference-data files that tests/ref/gen_*.py write with
// PyTorch (format in tests/ref/refio.py). Tests never run Python: the files
// are committed under tests/ref/data/.
#ifndef TEST_REF_H
#define TEST_REF_H

typedef struct {
    char name[48];
    int ndim;
    int dims[4];
    long size;
    float *data;
} RefTensor;

typedef struct {
    char path[512];
    int count;
    RefTensor *tensors;
} RefFile;

// Opens tests/ref/data/<file>; a missing or malformed file fails the test
// with a message saying how to regenerate it.
RefFile *ref_open(const char *file);
// The tensor called name; fails the test if it is missing or does not hold
// exactly expected_size floats.
const float *ref_get(const RefFile *ref, const char *name, long expected_size);
// A scalar stored as a 0-d or 1-element tensor.
float ref_scalar(const RefFile *ref, const char *name);
void ref_close(RefFile *ref);

#endif
