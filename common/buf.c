/* Capped growable buffer; see buf.h. */
#include "common/buf.h"

#include <errno.h>
#include <stdio.h>

void buf_init(struct buf *b, size_t max)
{
        *b = (struct buf){.max = max};
}

void buf_free(struct buf *b)
{
        free(b->data);
        b->data = NULL;
        b->len = b->alloc = 0;
}

void buf_reset(struct buf *b)
{
        b->len = 0;
        if (b->data)
                b->data[0] = '\0';
}

static void buf_reserve(struct buf *b, size_t need)
{
        if (need + 1 <= b->alloc)
                return;
        size_t alloc = b->alloc ? b->alloc : 256;
        while (alloc < need + 1)
                alloc *= 2;
        /* Never hold much more than the cap allows. */
        if (alloc > b->max + 1 && need + 1 <= b->max + 1)
                alloc = b->max + 1;
        b->data = xrealloc(b->data, alloc);
        b->alloc = alloc;
}

int buf_append(struct buf *b, const void *p, size_t n)
{
        if (n > b->max - b->len)
                return -ENOBUFS;
        buf_reserve(b, b->len + n);
        if (n)
                memcpy(b->data + b->len, p, n);
        b->len += n;
        b->data[b->len] = '\0';
        return 0;
}

size_t buf_append_some(struct buf *b, const void *p, size_t n)
{
        size_t room = b->max - b->len;
        if (n > room)
                n = room;
        (void)buf_append(b, p, n);
        return n;
}

int buf_appends(struct buf *b, const char *s)
{
        return buf_append(b, s, strlen(s));
}

int buf_vappendf(struct buf *b, const char *fmt, va_list ap)
{
        va_list aq;
        va_copy(aq, ap);
        int n = vsnprintf(NULL, 0, fmt, aq);
        va_end(aq);
        if (n < 0)
                return -EINVAL;
        if ((size_t)n > b->max - b->len)
                return -ENOBUFS;
        buf_reserve(b, b->len + (size_t)n);
        vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
        b->len += (size_t)n;
        return 0;
}

int buf_appendf(struct buf *b, const char *fmt, ...)
{
        va_list ap;
        va_start(ap, fmt);
        int r = buf_vappendf(b, fmt, ap);
        va_end(ap);
        return r;
}

char *buf_steal(struct buf *b)
{
        char *p = b->data ? b->data : xstrdup("");
        b->data = NULL;
        b->len = b->alloc = 0;
        return p;
}
