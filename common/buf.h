/* A growable byte buffer with a hard size cap, for everything untrusted input can grow
 * (response bodies, decoded text, extracted strings). The cap is set at creation; an
 * append that would pass it fails with -ENOBUFS and leaves the buffer as it was, so the
 * caller can record the truncation as a finding instead of losing track of it. */
#pragma once

#include <stdarg.h>
#include <stddef.h>

#include "common/util.h"

struct buf {
        char *data;     /* always NUL-terminated when non-NULL */
        size_t len;
        size_t alloc;
        size_t max;     /* cap on len */
};

void buf_init(struct buf *b, size_t max);
/* Frees the data; the buffer is left initialised and empty with the same cap. */
void buf_free(struct buf *b);
void buf_reset(struct buf *b);
/* 0, or -ENOBUFS when len + n would pass the cap (nothing is appended then). */
int buf_append(struct buf *b, const void *p, size_t n);
int buf_appends(struct buf *b, const char *s);
int buf_appendf(struct buf *b, const char *fmt, ...) _printf_(2, 3);
int buf_vappendf(struct buf *b, const char *fmt, va_list ap) _printf_(2, 0);
/* Appends as much of p as fits under the cap; returns the number of bytes appended. */
size_t buf_append_some(struct buf *b, const void *p, size_t n);
/* Hands the data to the caller (who frees it) and leaves b empty. Never NULL. */
char *buf_steal(struct buf *b);
