/* Allocation wrappers and string helpers used across modules. */
#include "common/util.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>

static _noreturn_ void oom(size_t n)
{
        fprintf(stderr, "xunjian: out of memory (allocating %zu bytes)\n", n);
        abort();
}

void *xmalloc(size_t n)
{
        void *p = malloc(n ? n : 1);
        if (!p)
                oom(n);
        return p;
}

void *xcalloc(size_t n, size_t size)
{
        void *p = calloc(n ? n : 1, size ? size : 1);
        if (!p)
                oom(n * size);
        return p;
}

void *xrealloc(void *p, size_t n)
{
        void *q = realloc(p, n ? n : 1);
        if (!q)
                oom(n);
        return q;
}

void *xreallocarray(void *p, size_t n, size_t size)
{
        if (size && n > SIZE_MAX / size)
                oom(SIZE_MAX);
        return xrealloc(p, n * size);
}

char *xstrdup(const char *s)
{
        char *p = strdup(s);
        if (!p)
                oom(strlen(s) + 1);
        return p;
}

char *xstrndup(const char *s, size_t n)
{
        char *p = strndup(s, n);
        if (!p)
                oom(n + 1);
        return p;
}

char *xasprintf(const char *fmt, ...)
{
        va_list ap;
        char *s;

        va_start(ap, fmt);
        int r = vasprintf(&s, fmt, ap);
        va_end(ap);
        if (r < 0)
                oom(strlen(fmt));
        return s;
}

bool str_endswith(const char *s, const char *suffix)
{
        size_t a = strlen(s), b = strlen(suffix);
        return a >= b && memcmp(s + a - b, suffix, b) == 0;
}

void str_replace(char **p, const char *s)
{
        free(*p);
        *p = s ? xstrdup(s) : NULL;
}

void strv_push_take(struct strv *v, char *s)
{
        if (v->n == v->cap) {
                v->cap = v->cap ? v->cap * 2 : 8;
                v->items = xreallocarray(v->items, v->cap, sizeof(*v->items));
        }
        v->items[v->n++] = s;
}

void strv_push(struct strv *v, const char *s)
{
        strv_push_take(v, xstrdup(s));
}

int str_index(const char *const *strings, size_t n, const char *s)
{
        for (size_t i = 0; s && i < n; i++)
                if (streq(strings[i], s))
                        return (int)i;
        return -EINVAL;
}

bool strv_contains(const struct strv *v, const char *s)
{
        for (size_t i = 0; i < v->n; i++)
                if (streq(v->items[i], s))
                        return true;
        return false;
}

void strv_free(struct strv *v)
{
        for (size_t i = 0; i < v->n; i++)
                free(v->items[i]);
        free(v->items);
        *v = (struct strv){0};
}

size_t utf8_space_len(const char *str)
{
        const unsigned char *s = (const unsigned char *)str;

        if (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n' || *s == '\f' || *s == '\v')
                return 1;
        if (s[0] == 0xC2 && s[1] == 0xA0)
                return 2;
        if (s[0] == 0xE3 && s[1] == 0x80 && s[2] == 0x80)
                return 3;
        return 0;
}

char *str_trim(char *s)
{
        unsigned char *p = (unsigned char *)s;
        size_t n;

        while ((n = utf8_space_len((const char *)p)))
                p += n;
        size_t len = strlen((char *)p);
        memmove(s, p, len + 1);

        /* Walk forward remembering where the last non-space run ended, because UTF-8
         * spaces cannot be recognised reliably from the end. */
        unsigned char *q = (unsigned char *)s, *end = q;
        while (*q) {
                n = utf8_space_len((const char *)q);
                if (n) {
                        q += n;
                } else {
                        q++;
                        end = q;
                }
        }
        *end = '\0';
        return s;
}

void str_collapse_space(char *s)
{
        unsigned char *r = (unsigned char *)s, *w = (unsigned char *)s;
        bool in_space = false;
        size_t n;

        while (*r) {
                n = utf8_space_len((const char *)r);
                if (n) {
                        r += n;
                        in_space = true;
                        continue;
                }
                if (in_space && w != (unsigned char *)s)
                        *w++ = ' ';
                in_space = false;
                *w++ = *r++;
        }
        *w = '\0';
}

bool utf8_valid(const char *str, size_t n)
{
        const unsigned char *s = (const unsigned char *)str, *end = s + n;

        while (s < end) {
                unsigned c = *s;
                size_t len;
                uint32_t cp;

                if (c < 0x80) {
                        s++;
                        /* Markup is mostly ASCII: eight bytes at a time while it lasts. */
                        uint64_t w;
                        while (end - s >= 8 && (memcpy(&w, s, 8), (w & 0x8080808080808080u) == 0))
                                s += 8;
                        continue;
                } else if ((c & 0xE0) == 0xC0) {
                        len = 2;
                        cp = c & 0x1F;
                } else if ((c & 0xF0) == 0xE0) {
                        len = 3;
                        cp = c & 0x0F;
                } else if ((c & 0xF8) == 0xF0) {
                        len = 4;
                        cp = c & 0x07;
                } else {
                        return false;
                }
                if ((size_t)(end - s) < len)
                        return false;
                for (size_t i = 1; i < len; i++) {
                        if ((s[i] & 0xC0) != 0x80)
                                return false;
                        cp = (cp << 6) | (s[i] & 0x3F);
                }
                if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) ||
                    (len == 4 && (cp < 0x10000 || cp > 0x10FFFF)) ||
                    (cp >= 0xD800 && cp <= 0xDFFF))
                        return false;
                s += len;
        }
        return true;
}

size_t utf8_length(const char *str)
{
        size_t n = 0;
        for (const unsigned char *s = (const unsigned char *)str; *s; s++)
                if ((*s & 0xC0) != 0x80)
                        n++;
        return n;
}

uint64_t hash_bytes(const void *p, size_t n)
{
        const unsigned char *s = p;
        uint64_t h = 0xcbf29ce484222325ULL;
        for (size_t i = 0; i < n; i++) {
                h ^= s[i];
                h *= 0x100000001b3ULL;
        }
        return h;
}
