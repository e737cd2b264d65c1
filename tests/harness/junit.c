// junit.c - the forgiving scanner of Criterion's JUnit XML; see junit.h.
#include "junit.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

// End of the tag that starts at p ('<'): the first '>' outside quotes.
static const char *tag_end(const char *p) {
    int quoted = 0;
    for (; *p; p++) {
        if (*p == '"') quoted = !quoted;
        else if (*p == '>' && !quoted) return p;
    }
    return NULL;
}

// Copies attribute key="value" of the tag [p, end) into out; "" if absent.
static void attr(const char *p, const char *end, const char *key, char *out, size_t cap) {
    out[0] = '\0';
    size_t klen = strlen(key);
    for (const char *q = p; q + klen + 2 <= end; q++) {
        if ((q[-1] == ' ' || q[-1] == '\t' || q[-1] == '\n') && strncmp(q, key, klen) == 0 &&
            q[klen] == '=' && q[klen + 1] == '"') {
            const char *v = q + klen + 2;
            size_t n = 0;
            while (v + n < end && v[n] != '"') n++;
            if (n >= cap) n = cap - 1;
            memcpy(out, v, n);
            out[n] = '\0';
            return;
        }
    }
}

// Appends the character data of [p, end) to buf: CDATA verbatim, the five
// named entities and &#N; decoded, anything else (raw text Criterion failed
// to escape) kept as it is. Indentation after a newline is dropped.
static void append_text(char **buf, size_t *len, const char *p, const char *end) {
    *buf = realloc(*buf, *len + (size_t)(end - p) + 1);
    char *o = *buf + *len;
    int line_start = 0;
    while (p < end) {
        if (strncmp(p, "<![CDATA[", 9) == 0) {
            const char *c = strstr(p + 9, "]]>");
            if (!c || c > end) c = end;
            memcpy(o, p + 9, (size_t)(c - p - 9));
            o += c - p - 9;
            p = c + 3 > end ? end : c + 3;
            line_start = 0;
            continue;
        }
        char ch = *p;
        int used = 1;
        if (ch == '&') {
            static const struct { const char *name; char ch; } named[] = {
                {"&lt;", '<'}, {"&gt;", '>'}, {"&amp;", '&'}, {"&quot;", '"'}, {"&apos;", '\''}};
            for (size_t i = 0; i < sizeof named / sizeof named[0]; i++) {
                size_t k = strlen(named[i].name);
                if (strncmp(p, named[i].name, k) == 0) { ch = named[i].ch; used = (int)k; break; }
            }
            if (used == 1 && p[1] == '#') {
                char *stop;
                long code = strtol(p + 2, &stop, 10);
                if (*stop == ';' && code > 0 && code < 128) { ch = (char)code; used = (int)(stop + 1 - p); }
            }
        }
        p += used;
        if (line_start && (ch == ' ' || ch == '\t')) continue;
        *o++ = ch;
        line_start = ch == '\n';
    }
    *len = (size_t)(o - *buf);
    (*buf)[*len] = '\0';
}

static JunitCase *add_case(JunitReport *rep) {
    rep->cases = realloc(rep->cases, sizeof(JunitCase) * (size_t)(rep->n + 1));
    JunitCase *c = &rep->cases[rep->n++];
    memset(c, 0, sizeof *c);
    c->message = calloc(1, 1);
    return c;
}

int junit_parse(const char *text, JunitReport *rep) {
    static const char newline[] = "\n";
    rep->cases = NULL;
    rep->n = 0;
    if (!strstr(text, "<testsuites")) return -1;
    char suite[128] = "";
    JunitCase *cur = NULL;
    size_t msg_len = 0;
    for (const char *p = strchr(text, '<'); p; p = strchr(p + 1, '<')) {
        const char *end = tag_end(p);
        if (!end) break; // truncated in the middle of a tag
        if (strncmp(p, "<testsuite ", 11) == 0) {
            attr(p, end, "name", suite, sizeof suite);
        } else if (strncmp(p, "<testcase ", 10) == 0) {
            cur = add_case(rep);
            msg_len = 0;
            snprintf(cur->suite, sizeof cur->suite, "%s", suite);
            attr(p, end, "name", cur->name, sizeof cur->name);
            attr(p, end, "status", cur->status, sizeof cur->status);
            if (!cur->status[0]) snprintf(cur->status, sizeof cur->status, "ERRORED");
            if (end[-1] == '/') cur = NULL;
        } else if (cur && (strncmp(p, "<failure", 8) == 0 || strncmp(p, "<error", 6) == 0)) {
            int is_failure = p[1] == 'f';
            char message[256];
            attr(p, end, "message", message, sizeof message);
            if (end[-1] == '/') {
                // <error type="crash" message="The test crashed." />
                if (msg_len) append_text(&cur->message, &msg_len, newline, newline + 1);
                append_text(&cur->message, &msg_len, message, message + strlen(message));
                p = end;
                continue;
            }
            const char *close = strstr(end, is_failure ? "</failure>" : "</error>");
            const char *stop = close ? close : end + strlen(end);
            if (msg_len) append_text(&cur->message, &msg_len, newline, newline + 1);
            append_text(&cur->message, &msg_len, end + 1, stop);
            if (!close) break;
            p = close;
            continue;
        } else if (strncmp(p, "</testcase>", 11) == 0) {
            cur = NULL;
        }
        p = end;
    }
    return 0;
}

int junit_read(const char *path, JunitReport *rep) {
    rep->cases = NULL;
    rep->n = 0;
    FILE *f = fopen(path, "rb");
    if (!f) return -1;
    size_t cap = 1 << 16, len = 0;
    char *text = malloc(cap);
    size_t got;
    while ((got = fread(text + len, 1, cap - len - 1, f)) > 0) {
        len += got;
        if (len + 1 == cap) text = realloc(text, cap *= 2);
    }
    fclose(f);
    text[len] = '\0';
    int rc = junit_parse(text, rep);
    free(text);
    return rc;
}

const JunitCase *junit_find(const JunitReport *rep, const char *suite, const char *name) {
    for (int i = 0; i < rep->n; i++)
        if (strcmp(rep->cases[i].suite, suite) == 0 && strcmp(rep->cases[i].name, name) == 0)
            return &rep->cases[i];
    return NULL;
}

void junit_free(JunitReport *rep) {
    for (int i = 0; i < rep->n; i++) free(rep->cases[i].message);
    free(rep->cases);
    rep->cases = NULL;
    rep->n = 0;
}
