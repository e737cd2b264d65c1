// exercise.h - what an untouched exercise stub calls.
//
// Every exercise function in lessons/ starts life as
//     /* BEGIN EXERCISE 1.2 */
//     EXERCISE_TODO("1.2");
//     /* END EXERCISE 1.2 */
// which stops the program with a message naming the exercise and the function.
// A test that reaches a stub therefore fails (as a crash), and the lesson
// program says which exercise is still missing instead of training on garbage.
#ifndef EXERCISE_H
#define EXERCISE_H

_Noreturn void exercise_todo(const char *exercise, const char *function, const char *file);

#define EXERCISE_TODO(exercise) exercise_todo(exercise, __func__, __FILE__)

#endif
