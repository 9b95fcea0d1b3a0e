/* Soft-404 signs; see soft404.h. */
#include "crawler/soft404.h"

#include <ctype.h>
#include <strings.h>

#include "common/buf.h"

static bool all_digits(const char *s)
{
        for (; *s; s++)
                if (!isdigit((unsigned char)*s))
                        return false;
        return true;
}

const char *soft404_title_match(const char *title, const struct strv *patterns)
{
        if (!title || !patterns)
                return NULL;
        for (size_t i = 0; i < patterns->n; i++) {
                const char *pat = patterns->items[i];
                size_t n = strlen(pat);
                bool digits = n > 0 && all_digits(pat);
                if (n == 0)
                        continue;
                for (const char *p = title; (p = strcasestr(p, pat)); p++) {
                        if (digits && ((p > title && isdigit((unsigned char)p[-1])) ||
                                       isdigit((unsigned char)p[n])))
                                continue;
                        return pat;
                }
        }
        return NULL;
}

/* Removes every occurrence of needle from s, in place. */
static void remove_all(char *s, const char *needle)
{
        size_t n = strlen(needle);
        char *p;

        if (n < 2)
                return;
        while ((p = strstr(s, needle)))
                memmove(p, p + n, strlen(p + n) + 1);
}

uint64_t soft404_fingerprint(const char *title, const char *text, const char *url)
{
        _cleanup_free_ char *s = xasprintf("%s\n%s", title ? title : "", text ? text : "");
        const char *path = strstr(url, "://");
        char *w = s;

        path = path ? path + 3 + strcspn(path + 3, "/") : url;
        remove_all(s, url);
        if (*path && !streq(path, "/")) {
                _cleanup_free_ char *just_path = xstrndup(path, strcspn(path, "?#"));
                const char *last = strrchr(just_path, '/');
                remove_all(s, path);
                remove_all(s, just_path);
                /* Some templates echo only the file name. */
                if (last && last[1])
                        remove_all(s, last + 1);
        }
        for (const char *r = s; *r; r++)
                if (!isdigit((unsigned char)*r) && !isspace((unsigned char)*r))
                        *w++ = *r;
        *w = '\0';
        return hash_str(s);
}
