/* The CSS selector subset accepted for column item selectors, translated to XPath 1.0:
 * type and "*", .class, #id, [attr], [attr=value], descendant and child combinators and
 * selector lists. Anything else is refused rather than guessed at. */
#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include "common/buf.h"
#include "common/util.h"
#include "crawler/html.h"

/* Selectors come from rules.d; a few KiB is far beyond any real one. */
#define MAX_XPATH (64 * 1024)
/* ".name" matches one of the white-space separated words of the class attribute. */
#define CLASS_OPEN "[contains(concat(' ',normalize-space(@class),' '),' "
#define CLASS_CLOSE " ')]"

static bool css_space(char c)
{
        return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f';
}

/* Identifier characters: ASCII letters, digits, "-", "_" and any non-ASCII byte (class
 * names in Chinese exist). */
static bool ident_char(char c)
{
        unsigned char u = (unsigned char)c;

        return (u >= 'a' && u <= 'z') || (u >= 'A' && u <= 'Z') || (u >= '0' && u <= '9') ||
               u == '-' || u == '_' || u >= 0x80;
}

static const char *skip_space(const char *p)
{
        while (css_space(*p))
                p++;
        return p;
}

/* Appends an identifier at *p to out, lower-cased when fold is set; 0 or -EINVAL. */
static int take_ident(const char **p, struct buf *out, bool fold)
{
        const char *s = *p;

        if (!ident_char(*s))
                return -EINVAL;
        for (; ident_char(*s); s++) {
                char c = fold && *s >= 'A' && *s <= 'Z' ? (char)(*s - 'A' + 'a') : *s;
                if (buf_append(out, &c, 1) < 0)
                        return -EINVAL;
        }
        *p = s;
        return 0;
}

/* Appends an XPath string literal holding the n bytes at s. XPath 1.0 has no escapes:
 * a value with both quote characters cannot be written. */
static int append_literal(struct buf *out, const char *s, size_t n)
{
        char q = memchr(s, '\'', n) ? '"' : '\'';

        if (q == '"' && memchr(s, '"', n))
                return -EINVAL;
        if (buf_append(out, &q, 1) < 0 || buf_append(out, s, n) < 0 || buf_append(out, &q, 1) < 0)
                return -EINVAL;
        return 0;
}

/* [attr] or [attr=value]; *p is after "[". */
static int take_attribute(const char **p, struct buf *out)
{
        const char *s = skip_space(*p);
        int r;

        if (buf_appends(out, "[@") < 0)
                return -EINVAL;
        r = take_ident(&s, out, true);
        if (r < 0)
                return r;
        s = skip_space(s);
        if (*s == '=') {
                const char *v;
                size_t n;
                s = skip_space(s + 1);
                if (*s == '"' || *s == '\'') {
                        char quote = *s++;
                        v = s;
                        while (*s && *s != quote)
                                s++;
                        if (*s != quote)
                                return -EINVAL;
                        n = (size_t)(s - v);
                        s++;
                } else {
                        v = s;
                        while (ident_char(*s))
                                s++;
                        n = (size_t)(s - v);
                        if (n == 0)
                                return -EINVAL;
                }
                if (buf_appends(out, "=") < 0 || append_literal(out, v, n) < 0)
                        return -EINVAL;
                s = skip_space(s);
        }
        if (*s != ']' || buf_appends(out, "]") < 0)
                return -EINVAL;
        *p = s + 1;
        return 0;
}

/* One compound selector ("ul.list#main[data-x]"); at least one part is required. */
static int take_compound(const char **p, struct buf *out)
{
        const char *s = *p;
        bool any = false;
        int r;

        if (*s == '*') {
                s++;
                any = true;
                if (buf_appends(out, "*") < 0)
                        return -EINVAL;
        } else if (ident_char(*s)) {
                r = take_ident(&s, out, true);
                if (r < 0)
                        return r;
                any = true;
        } else {
                if (buf_appends(out, "*") < 0)
                        return -EINVAL;
        }
        for (;;) {
                if (*s == '.') {
                        s++;
                        if (buf_appends(out, CLASS_OPEN) < 0)
                                return -EINVAL;
                        r = take_ident(&s, out, false);
                        if (r < 0)
                                return r;
                        if (buf_appends(out, CLASS_CLOSE) < 0)
                                return -EINVAL;
                } else if (*s == '#') {
                        const char *v = ++s;
                        while (ident_char(*s))
                                s++;
                        if (s == v || buf_appends(out, "[@id=") < 0 ||
                            append_literal(out, v, (size_t)(s - v)) < 0 ||
                            buf_appends(out, "]") < 0)
                                return -EINVAL;
                } else if (*s == '[') {
                        s++;
                        r = take_attribute(&s, out);
                        if (r < 0)
                                return r;
                } else {
                        break;
                }
                any = true;
        }
        if (!any)
                return -EINVAL;
        *p = s;
        return 0;
}

static int translate(const char *css, struct buf *out)
{
        const char *p = skip_space(css);
        int r;

        for (;;) {
                /* One complex selector: compounds joined by combinators. */
                if (buf_appends(out, "//") < 0)
                        return -EINVAL;
                for (;;) {
                        r = take_compound(&p, out);
                        if (r < 0)
                                return r;
                        const char *q = skip_space(p);
                        if (*q == '>') {
                                p = skip_space(q + 1);
                                if (buf_appends(out, "/") < 0)
                                        return -EINVAL;
                        } else if (q != p && *q && *q != ',') {
                                p = q;
                                if (buf_appends(out, "//") < 0)
                                        return -EINVAL;
                        } else {
                                p = q;
                                break;
                        }
                }
                if (*p == '\0')
                        return 0;
                if (*p != ',')
                        return -EINVAL;
                p = skip_space(p + 1);
                if (buf_appends(out, " | ") < 0)
                        return -EINVAL;
        }
}

int html_css_to_xpath(const char *css, char **ret)
{
        struct buf out;
        int r;

        if (!css)
                return -EINVAL;
        if (css[0] == '/') {
                *ret = xstrdup(css);
                return 0;
        }
        buf_init(&out, MAX_XPATH);
        r = translate(css, &out);
        if (r < 0) {
                buf_free(&out);
                return r;
        }
        *ret = buf_steal(&out);
        return 0;
}
