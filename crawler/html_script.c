/* Links written by inline scripts: document.write('<a href=...>'), el.innerHTML = '...',
 * insertAdjacentHTML, and jQuery's .html()/.append(). A browser shows them while the
 * markup does not hold them, which is how 暗链 (hidden links) are injected into hacked
 * pages. Nothing is executed: the string literals of the script are decoded (\x3C,
 * \u003c, \", \/, and %3C escapes as unescape() takes them), literals joined by "+" are
 * joined, and each <a ... href=...> in them becomes a link whose hidden_by is
 * HTML_HIDDEN_SCRIPT. A link assembled from variables or computed strings is not seen. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "common/buf.h"
#include "common/util.h"
#include "crawler/html_internal.h"

/* Inline scripts are small; a bigger one is read up to here. */
#define MAX_SCRIPT (256 * 1024)
/* Links taken from one script: an injected block holds a few dozen at most. */
#define MAX_SCRIPT_LINKS 256
#define MAX_LINK_TEXT 512

static const struct html__hiding by_write = {HTML_HIDDEN_SCRIPT, "脚本写入（document.write）",
                                             false};
static const struct html__hiding by_inner = {HTML_HIDDEN_SCRIPT, "脚本写入（innerHTML 等）",
                                             false};

const char *html__script_how_lookup(const char *how)
{
        if (streq(how, by_write.how))
                return by_write.how;
        if (streq(how, by_inner.how))
                return by_inner.how;
        return NULL;
}

/* A script element whose text is JavaScript (no type, or a JavaScript type), and which
 * has no src of its own. */
static bool inline_javascript(const xmlNode *n)
{
        const char *type = html__attr(n, "type");

        if (html__attr(n, "src"))
                return false;
        return !type || !type[0] || strcasestr(type, "javascript") ||
               strcasestr(type, "ecmascript") || strcasecmp(type, "module") == 0;
}

static void put_utf8(struct buf *b, unsigned long cp)
{
        char out[4];
        size_t n;

        if (cp >= 0xD800 && cp <= 0xDFFF)
                cp = 0xFFFD;
        if (cp < 0x80) {
                out[0] = (char)cp;
                n = 1;
        } else if (cp < 0x800) {
                out[0] = (char)(0xC0 | cp >> 6);
                out[1] = (char)(0x80 | (cp & 0x3F));
                n = 2;
        } else if (cp < 0x10000) {
                out[0] = (char)(0xE0 | cp >> 12);
                out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
                out[2] = (char)(0x80 | (cp & 0x3F));
                n = 3;
        } else if (cp < 0x110000) {
                out[0] = (char)(0xF0 | cp >> 18);
                out[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
                out[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
                out[3] = (char)(0x80 | (cp & 0x3F));
                n = 4;
        } else {
                return;
        }
        buf_append(b, out, n);
}

static int hex(char c)
{
        if (c >= '0' && c <= '9')
                return c - '0';
        if (c >= 'a' && c <= 'f')
                return c - 'a' + 10;
        if (c >= 'A' && c <= 'F')
                return c - 'A' + 10;
        return -1;
}

/* n hex digits at s, or -1. */
static long hex_n(const char *s, const char *end, int n)
{
        long v = 0;

        if (end - s < n)
                return -1;
        for (int i = 0; i < n; i++) {
                int h = hex(s[i]);
                if (h < 0)
                        return -1;
                v = v << 4 | h;
        }
        return v;
}

/* Decodes one string literal body (between its quotes) into b; returns the position after
 * the closing quote (or end). */
static const char *take_literal(const char *p, const char *end, char quote, struct buf *b)
{
        while (p < end && *p != quote) {
                if (quote == '`' && *p == '$' && p + 1 < end && p[1] == '{') {
                        /* A template substitution: its value is unknown. */
                        const char *close = memchr(p, '}', (size_t)(end - p));
                        p = close ? close + 1 : end;
                        continue;
                }
                if (*p != '\\') {
                        buf_append(b, p++, 1);
                        continue;
                }
                if (++p >= end)
                        break;
                char c = *p++;
                long v;
                switch (c) {
                case 'n':
                        buf_append(b, "\n", 1);
                        break;
                case 't':
                case 'r':
                case 'f':
                case 'v':
                case 'b':
                        buf_append(b, " ", 1);
                        break;
                case '\n':
                        break;          /* a line continuation */
                case 'x':
                        v = hex_n(p, end, 2);
                        if (v >= 0) {
                                put_utf8(b, (unsigned long)v);
                                p += 2;
                        }
                        break;
                case 'u':
                        if (p < end && *p == '{') {
                                const char *close = memchr(p, '}', (size_t)(end - p));
                                unsigned long cp = 0;
                                bool ok = close && close - p > 1 && close - p <= 7;
                                for (const char *q = p + 1; ok && q < close; q++)
                                        ok = hex(*q) >= 0 && ((cp = cp << 4 | (unsigned)hex(*q)), true);
                                if (ok) {
                                        put_utf8(b, cp);
                                        p = close + 1;
                                }
                        } else if ((v = hex_n(p, end, 4)) >= 0) {
                                put_utf8(b, (unsigned long)v);
                                p += 4;
                        }
                        break;
                default:
                        buf_append(b, &c, 1);
                        break;
                }
        }
        return p < end ? p + 1 : end;
}

/* unescape()-style decoding of %HH and %uHHHH, in place into a new buffer. */
static char *percent_decode(const char *s, size_t len)
{
        struct buf b;
        const char *end = s + len;

        buf_init(&b, len + 1);
        for (const char *p = s; p < end;) {
                long v;
                if (*p == '%' && p + 1 < end && (p[1] == 'u' || p[1] == 'U') &&
                    (v = hex_n(p + 2, end, 4)) >= 0) {
                        put_utf8(&b, (unsigned long)v);
                        p += 6;
                } else if (*p == '%' && (v = hex_n(p + 1, end, 2)) >= 0) {
                        char ch = (char)v;
                        buf_append(&b, &ch, 1);
                        p += 3;
                } else {
                        buf_append(&b, p++, 1);
                }
        }
        return buf_steal(&b);
}

/* The first place of needle (ASCII, lower case) in the n bytes at s, ignoring case. */
static const char *find_ci(const char *s, size_t n, const char *needle)
{
        size_t len = strlen(needle);

        for (size_t i = 0; i + len <= n; i++)
                if (strncasecmp(s + i, needle, len) == 0)
                        return s + i;
        return NULL;
}

/* The visible text of an HTML fragment: tags dropped, white space collapsed. */
static char *fragment_text(const char *s, size_t len)
{
        struct buf b;
        bool in_tag = false;

        buf_init(&b, MAX_LINK_TEXT);
        for (size_t i = 0; i < len; i++) {
                if (s[i] == '<')
                        in_tag = true;
                else if (s[i] == '>')
                        in_tag = false;
                else if (!in_tag && buf_append(&b, s + i, 1) < 0)
                        break;
        }
        char *t = buf_steal(&b);
        if (!utf8_valid(t, strlen(t))) {
                free(t);
                return xstrdup("");
        }
        str_collapse_space(t);
        str_trim(t);
        return t;
}

struct script_scan {
        struct html_ctx *c;
        const xmlNode *script;
        const struct html__hiding *how;
        int line;
        size_t found;
};

/* Each <a ...href=...>text</a> of a decoded string becomes a link. */
static void fragment_links(struct script_scan *s, const char *text, size_t len)
{
        const char *end = text + len;

        for (const char *p = text; p < end && s->found < MAX_SCRIPT_LINKS;) {
                const char *lt = memchr(p, '<', (size_t)(end - p));
                if (!lt || end - lt < 3)
                        return;
                p = lt + 1;
                if ((lt[1] != 'a' && lt[1] != 'A') ||
                    !(lt[2] == ' ' || lt[2] == '\t' || lt[2] == '\n' || lt[2] == '\r'))
                        continue;
                const char *gt = memchr(lt, '>', (size_t)(end - lt));
                if (!gt)
                        gt = end;
                /* The href attribute inside the tag. */
                const char *h = lt + 2;
                const char *href = NULL;
                size_t href_len = 0;
                while (h < gt) {
                        const char *at = find_ci(h, (size_t)(gt - h), "href");
                        if (!at)
                                break;
                        const char *q = at + 4;
                        while (q < gt && (*q == ' ' || *q == '\t'))
                                q++;
                        if (q >= gt || *q != '=' || (at > lt && !(at[-1] == ' ' || at[-1] == '\t' ||
                                                                  at[-1] == '\n' || at[-1] == '"' ||
                                                                  at[-1] == '\''))) {
                                h = at + 4;
                                continue;
                        }
                        q++;
                        while (q < gt && (*q == ' ' || *q == '\t'))
                                q++;
                        if (q < gt && (*q == '"' || *q == '\'')) {
                                const char *close = memchr(q + 1, *q, (size_t)(end - q - 1));
                                href = q + 1;
                                href_len = close ? (size_t)(close - href) : 0;
                                if (close && close > gt)
                                        gt = memchr(close, '>', (size_t)(end - close));
                                if (!gt)
                                        gt = end;
                        } else {
                                href = q;
                                while (q < gt && *q != ' ' && *q != '\t')
                                        q++;
                                href_len = (size_t)(q - href);
                        }
                        break;
                }
                if (!href || href_len == 0)
                        continue;
                const char *body = gt < end ? gt + 1 : end;
                const char *close = find_ci(body, (size_t)(end - body), "</a");
                if (!close)
                        close = end;
                _cleanup_free_ char *ref = xstrndup(href, href_len);
                html__add_link_at(s->c, HTML_LINK_A, ref, fragment_text(body, (size_t)(close - body)),
                                  s->line, s->how, html__in_template(s->script));
                s->found++;
                p = close;
        }
}

/* One finished run of joined literals. */
static void segment_done(struct script_scan *s, struct buf *seg)
{
        if (seg->len == 0)
                return;
        if (!memchr(seg->data, '<', seg->len) && (strcasestr(seg->data, "%3c"))) {
                _cleanup_free_ char *dec = percent_decode(seg->data, seg->len);
                fragment_links(s, dec, strlen(dec));
        } else {
                fragment_links(s, seg->data, seg->len);
        }
        buf_reset(seg);
}

static void scan_script(struct script_scan *s, const char *js, size_t len)
{
        const char *p = js, *end = js + len;
        struct buf seg;
        int base_line = s->line, newlines = 0;
        const char *counted = js;

        buf_init(&seg, MAX_SCRIPT);
        while (p < end) {
                char c = *p;
                if (c == '/' && p + 1 < end && p[1] == '/') {
                        const char *nl = memchr(p, '\n', (size_t)(end - p));
                        p = nl ? nl : end;
                        continue;
                }
                if (c == '/' && p + 1 < end && p[1] == '*') {
                        const char *close = memmem(p + 2, (size_t)(end - p - 2), "*/", 2);
                        p = close ? close + 2 : end;
                        continue;
                }
                if (c == '"' || c == '\'' || c == '`') {
                        if (seg.len == 0) {
                                /* Where the string starts, for the link's line. */
                                for (; counted < p; counted++)
                                        newlines += *counted == '\n';
                                s->line = base_line + newlines;
                        }
                        p = take_literal(p + 1, end, c, &seg);
                        /* Joined to the next literal by "+"? */
                        const char *q = p;
                        while (q < end && (*q == ' ' || *q == '\t' || *q == '\n' || *q == '\r'))
                                q++;
                        if (q < end && *q == '+') {
                                q++;
                                while (q < end && (*q == ' ' || *q == '\t' || *q == '\n' ||
                                                   *q == '\r'))
                                        q++;
                                if (q < end && (*q == '"' || *q == '\'' || *q == '`')) {
                                        p = q;
                                        continue;
                                }
                        }
                        segment_done(s, &seg);
                        continue;
                }
                p++;
        }
        segment_done(s, &seg);
        buf_free(&seg);
}

void html__script_links(struct html_ctx *c, xmlNode *root)
{
        for (xmlNode *n = root; n; n = html__next(n, root, false)) {
                if (!html__is(n, "script") || !inline_javascript(n))
                        continue;
                struct buf js;
                buf_init(&js, MAX_SCRIPT);
                for (const xmlNode *t = n->children; t; t = t->next)
                        if ((t->type == XML_TEXT_NODE || t->type == XML_CDATA_SECTION_NODE) &&
                            t->content)
                                buf_append_some(&js, t->content, strlen((const char *)t->content));
                const char *text = js.data ? js.data : "";
                bool writes = strstr(text, "document.write") != NULL;
                bool sets = strstr(text, "innerHTML") || strstr(text, "outerHTML") ||
                            strstr(text, "insertAdjacentHTML") || strstr(text, ".html(") ||
                            strstr(text, ".append(") || strstr(text, ".prepend(");
                if (writes || sets) {
                        struct script_scan s = {
                                .c = c,
                                .script = n,
                                .how = writes ? &by_write : &by_inner,
                                .line = html__line_of(n),
                        };
                        scan_script(&s, text, js.len);
                }
                buf_free(&js);
        }
}
