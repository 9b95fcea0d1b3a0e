/* The HTML builder and its escaping; see html.h. */
#include "notify/html.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>

void notify_html_init(struct notify_html *h, size_t max)
{
        buf_init(&h->b, max);
        h->error = 0;
}

void notify_html_free(struct notify_html *h)
{
        buf_free(&h->b);
}

static void keep(struct notify_html *h, int r)
{
        if (r < 0 && h->error == 0)
                h->error = r;
}

void notify_html_raw(struct notify_html *h, const char *markup)
{
        if (h->error == 0)
                keep(h, buf_appends(&h->b, markup));
}

void notify_html_rawf(struct notify_html *h, const char *fmt, ...)
{
        va_list ap;

        if (h->error)
                return;
        va_start(ap, fmt);
        keep(h, buf_vappendf(&h->b, fmt, ap));
        va_end(ap);
}

/* The length of the valid UTF-8 sequence at p (1-4), or 0 when it is not one: overlongs,
 * surrogates and code points past U+10FFFF are refused, as utf8_valid() does. */
static size_t utf8_seq(const unsigned char *p)
{
        if (p[0] < 0x80)
                return 1;
        if (p[0] >= 0xc2 && p[0] < 0xe0)
                return (p[1] & 0xc0) == 0x80 ? 2 : 0;
        if (p[0] >= 0xe0 && p[0] < 0xf0) {
                if ((p[1] & 0xc0) != 0x80 || (p[2] & 0xc0) != 0x80)
                        return 0;
                if ((p[0] == 0xe0 && p[1] < 0xa0) || (p[0] == 0xed && p[1] >= 0xa0))
                        return 0;
                return 3;
        }
        if (p[0] >= 0xf0 && p[0] < 0xf5) {
                if ((p[1] & 0xc0) != 0x80 || (p[2] & 0xc0) != 0x80 || (p[3] & 0xc0) != 0x80)
                        return 0;
                if ((p[0] == 0xf0 && p[1] < 0x90) || (p[0] == 0xf4 && p[1] >= 0x90))
                        return 0;
                return 4;
        }
        return 0;
}

/* Escapes at most max_chars characters of text; *ret_cut says whether text was longer. */
static int escape_some(struct buf *b, const char *text, size_t max_chars, bool *ret_cut)
{
        const unsigned char *p = (const unsigned char *)text;
        size_t chars = 0;
        int r = 0;

        *ret_cut = false;
        while (*p && r == 0) {
                size_t n = utf8_seq(p);

                if (chars == max_chars) {
                        *ret_cut = true;
                        break;
                }
                chars++;
                if (n == 0) {
                        r = buf_appends(b, "\xef\xbf\xbd");
                        p++;
                        continue;
                }
                if (n > 1) {
                        r = buf_append(b, p, n);
                        p += n;
                        continue;
                }
                switch (*p) {
                case '&':
                        r = buf_appends(b, "&amp;");
                        break;
                case '<':
                        r = buf_appends(b, "&lt;");
                        break;
                case '>':
                        r = buf_appends(b, "&gt;");
                        break;
                case '"':
                        r = buf_appends(b, "&quot;");
                        break;
                case '\'':
                        r = buf_appends(b, "&#39;");
                        break;
                case '\t':
                case '\n':
                        r = buf_append(b, p, 1);
                        break;
                default:
                        /* C0 controls and DEL are not allowed in HTML text. */
                        if (*p >= 0x20 && *p != 0x7f)
                                r = buf_append(b, p, 1);
                }
                p++;
        }
        return r;
}

int notify_html_escape(struct buf *b, const char *text)
{
        bool cut;

        return text ? escape_some(b, text, SIZE_MAX, &cut) : 0;
}

void notify_html_text(struct notify_html *h, const char *text)
{
        if (h->error == 0 && text)
                keep(h, notify_html_escape(&h->b, text));
}

void notify_html_text_cut(struct notify_html *h, const char *text, size_t max_chars)
{
        bool cut;

        if (h->error || !text)
                return;
        keep(h, escape_some(&h->b, text, max_chars, &cut));
        if (cut)
                notify_html_raw(h, "…");
}

void notify_html_textf(struct notify_html *h, const char *fmt, ...)
{
        _cleanup_free_ char *s = NULL;
        va_list ap;
        int n;

        if (h->error)
                return;
        va_start(ap, fmt);
        n = vasprintf(&s, fmt, ap);
        va_end(ap);
        if (n < 0) {
                s = NULL;
                keep(h, -ENOMEM);
                return;
        }
        notify_html_text(h, s);
}

int notify_html_finish(struct notify_html *h, char **ret, size_t *ret_len)
{
        int r = h->error;

        if (r < 0) {
                notify_html_free(h);
                return r;
        }
        if (ret_len)
                *ret_len = h->b.len;
        *ret = buf_steal(&h->b);
        return 0;
}
