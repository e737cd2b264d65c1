// json.h - writing JSON strings that stay valid whatever a test printed.
#ifndef HARNESS_JSON_H
#define HARNESS_JSON_H

#include <stdio.h>

// Writes s as a quoted JSON string: quotes, backslashes and control
// characters escaped, bytes that are not valid UTF-8 replaced by U+FFFD, and
// at most max_bytes bytes of s used (cut on a character boundary, with a note
// saying so). max_bytes <= 0 means no limit.
void json_string(FILE *f, const char *s, long max_bytes);

// Writes s with XML's five special characters escaped and invalid UTF-8 and
// control characters (except TAB and newline) replaced, for attribute values
// and element text.
void xml_text(FILE *f, const char *s, long max_bytes);

// Length of the valid UTF-8 sequence at s (1..4), or 0 if the bytes there are
// not one.
int utf8_len(const unsigned char *s);

#endif
