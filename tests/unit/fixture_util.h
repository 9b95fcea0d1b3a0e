/* Helpers shared by the unit tests that read fixture files: the whole file, and the
 * tab-separated lines of the *.expected files beside it. Header-only, static, so that each
 * test executable keeps linking only its own module. */
#pragma once

#include <stdio.h>
#include <string.h>

#include "common/util.h"

/* Reads a whole file, NUL-terminated (the caller frees it); NULL when it cannot be opened.
 * ret_len (may be NULL) gets its length. */
static inline char *fixture_read(const char *path, size_t *ret_len)
{
        FILE *f = fopen(path, "rb");
        char *data = NULL;
        size_t len = 0, cap = 0, n;

        if (!f)
                return NULL;
        do {
                if (len + 4096 + 1 > cap) {
                        cap = (len + 4096 + 1) * 2;
                        data = xrealloc(data, cap);
                }
                n = fread(data + len, 1, cap - len - 1, f);
                len += n;
        } while (n > 0);
        fclose(f);
        data[len] = '\0';
        if (ret_len)
                *ret_len = len;
        return data;
}

/* Splits a line into at most max tab-separated fields, in place. */
static inline size_t fixture_split_tabs(char *line, char **fields, size_t max)
{
        size_t n = 0;

        while (n < max) {
                fields[n++] = line;
                char *tab = strchr(line, '\t');
                if (!tab || n == max)
                        break;
                *tab = '\0';
                line = tab + 1;
        }
        return n;
}
