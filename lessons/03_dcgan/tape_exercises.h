// tape_exercises.h - exercise 3.9: the backward walk of the autograd tape
// (your code in tape_exercises.c). The lesson program trains with it instead
// of the library's tape_backward.
#ifndef TAPE_EXERCISES_H
#define TAPE_EXERCISES_H

#include "autograd/tape.h"

// 3.9: accumulates d loss / d t into the grad of every tensor t that
// requires one; loss holds one value.
void l03_tape_backward(Tape *tp, Tensor *loss);

#endif
