/* Small helpers shared by every module: allocation that cannot fail quietly, string
 * comparisons, and the cleanup attribute. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#define container_of(ptr, type, member) ((type *)((char *)(ptr) - offsetof(type, member)))

#define _cleanup_(f) __attribute__((cleanup(f)))
#define _printf_(a, b) __attribute__((format(printf, a, b)))
#define _noreturn_ __attribute__((noreturn))

static inline void freep(void *p)
{
        free(*(void **)p);
}
#define _cleanup_free_ _cleanup_(freep)

static inline bool streq(const char *a, const char *b)
{
        return strcmp(a, b) == 0;
}

static inline bool streq_ptr(const char *a, const char *b)
{
        if (!a || !b)
                return a == b;
        return strcmp(a, b) == 0;
}

static inline bool str_startswith(const char *s, const char *prefix)
{
        return strncmp(s, prefix, strlen(prefix)) == 0;
}

bool str_endswith(const char *s, const char *suffix);

/* Allocation failure aborts the process with a message: every size that untrusted input can
 * grow is capped before it reaches the allocator, so running out of memory here means the
 * host itself is in trouble, and a clean abort (the database stays consistent: every write
 * is in a transaction) is better than a half-handled error path. */
void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
void *xreallocarray(void *p, size_t n, size_t size);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
/* Returns a newly allocated formatted string; the caller frees it. */
char *xasprintf(const char *fmt, ...) _printf_(1, 2);

/* Frees and clears *p; accepts NULL. */
static inline void free_and_null(char **p)
{
        free(*p);
        *p = NULL;
}

/* Replaces *p by a copy of s (NULL allowed), freeing the old value. */
void str_replace(char **p, const char *s);

/* A growable array of owned strings. */
struct strv {
        char **items;
        size_t n;
        size_t cap;
};
void strv_push(struct strv *v, const char *s);          /* copies s */
void strv_push_take(struct strv *v, char *s);           /* takes ownership of s */
bool strv_contains(const struct strv *v, const char *s);
/* The index of s in strings[0..n) (an enum's ids), or -EINVAL when it is not there or s is
 * NULL. */
int str_index(const char *const *strings, size_t n, const char *s);
void strv_free(struct strv *v);                          /* frees items, leaves v empty */

/* Bytes of the white-space character at s (ASCII space, tab, CR, LF, FF, VT, U+00A0,
 * U+3000), or 0 when s does not start with one. s must be NUL-terminated. */
size_t utf8_space_len(const char *s);

/* Trims ASCII and U+3000/U+00A0 white space at both ends, in place; returns s. */
char *str_trim(char *s);

/* Collapses runs of white space (ASCII, U+00A0, U+3000) into one ASCII space, in place. */
void str_collapse_space(char *s);

/* True when the n bytes at s are valid UTF-8 (no overlongs, no surrogates). */
bool utf8_valid(const char *s, size_t n);

/* Number of code points in a UTF-8 string (invalid bytes count as one each). */
size_t utf8_length(const char *s);

/* FNV-1a, for hash tables. */
uint64_t hash_bytes(const void *p, size_t n);
static inline uint64_t hash_str(const char *s)
{
        return hash_bytes(s, strlen(s));
}
