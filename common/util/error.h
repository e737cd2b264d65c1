// error.h - how the library reports a failure.
//
// The convention, used by every function that can fail (file readers, writers,
// parsers, checkpoints):
//   - it returns 0 on success and -1 on failure (or NULL for a pointer result);
//   - its LAST argument is `Error *err`, which it fills with one line of text
//     saying what went wrong: for a file, the path, what was expected and what
//     was found, e.g.
//         "data/x.idx: expected IDX magic 0x00000803 (images), found 0x00000801"
//   - it never prints, never calls exit() and never leaves half-made results
//     behind: on failure everything it allocated is freed.
// Only a program's main() decides what to do: usually print err.msg and exit.
// `err` may be NULL when the caller does not care why.
//
//     Error err;
//     if (idx_read_images(&set, path, &err) != 0) {
//         fprintf(stderr, "%s\n", err.msg);
//         return 1;
//     }
#ifndef ERROR_H
#define ERROR_H

#define ERROR_MSG_MAX 256

typedef struct {
    char msg[ERROR_MSG_MAX];   // empty when nothing failed
} Error;

// Formats the message into err (printf-style, truncated to fit) and returns -1,
// so a failing function can end with `return error_set(err, "...", ...);`.
int error_set(Error *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

// Empties the message.
void error_clear(Error *err);

// A programming error, not bad input: a NULL where a buffer is required,
// shapes that do not fit. Prints "error: <message>" on stderr and aborts, so
// that a test fails with the message instead of a bare signal.
_Noreturn void error_abort(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
