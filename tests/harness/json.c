// json.c - JSON and XML text escaping; see json.h.
#include "json.h"

#include <string.h>

int utf8_len(const unsigned char *s) {
    unsigned c = s[0];
    int n;
    unsigned min;
    if (c < 0x80) return 1;
    if ((c & 0xE0) == 0xC0) { n = 2; min = 0x80; c &= 0x1F; }
    else if ((c & 0xF0) == 0xE0) { n = 3; min = 0x800; c &= 0x0F; }
    else if ((c & 0xF8) == 0xF0) { n = 4; min = 0x10000; c &= 0x07; }
    else return 0;
    for (int i = 1; i < n; i++) {
        if ((s[i] & 0xC0) != 0x80) return 0;
        c = (c << 6) | (s[i] & 0x3F);
    }
    // Overlong forms, UTF-16 surrogates and values past U+10FFFF are invalid.
    if (c < min || (c >= 0xD800 && c <= 0xDFFF) || c > 0x10FFFF) return 0;
    return n;
}

static const char TRUNCATED[] = "\n[... output truncated ...]";

void json_string(FILE *f, const char *s, long max_bytes) {
    const unsigned char *p = (const unsigned char *)s;
    long used = 0;
    fputc('"', f);
    while (*p) {
        int n = utf8_len(p);
        if (max_bytes > 0 && used + (n ? n : 1) > max_bytes) {
            fputs("\\n[... output truncated ...]", f);
            break;
        }
        if (n == 0) {
            fputs("\\ufffd", f);
            p++;
            used++;
            continue;
        }
        unsigned c = *p;
        if (c == '"') fputs("\\\"", f);
        else if (c == '\\') fputs("\\\\", f);
        else if (c == '\n') fputs("\\n", f);
        else if (c == '\t') fputs("\\t", f);
        else if (c == '\r') fputs("\\r", f);
        else if (c < 0x20 || c == 0x7F) fprintf(f, "\\u%04x", c);
        else fwrite(p, 1, (size_t)n, f);
        p += n;
        used += n;
    }
    fputc('"', f);
}

void xml_text(FILE *f, const char *s, long max_bytes) {
    const unsigned char *p = (const unsigned char *)s;
    long used = 0;
    while (*p) {
        int n = utf8_len(p);
        if (max_bytes > 0 && used + (n ? n : 1) > max_bytes) {
            fputs(TRUNCATED, f);
            break;
        }
        unsigned c = *p;
        if (n == 0 || (c < 0x20 && c != '\n' && c != '\t') || c == 0x7F) fputs("\xEF\xBF\xBD", f);
        else if (c == '<') fputs("&lt;", f);
        else if (c == '>') fputs("&gt;", f);
        else if (c == '&') fputs("&amp;", f);
        else if (c == '"') fputs("&quot;", f);
        else if (c == '\'') fputs("&apos;", f);
        else if (c == '\n') fputs("&#10;", f);
        else fwrite(p, 1, (size_t)n, f);
        p += n ? n : 1;
        used += n ? n : 1;
    }
}
