/* Charset decoding of response bodies to UTF-8 (see charset.h): choosing the charset from
 * the BOM, the HTTP header, the <meta> prescan, the bytes and uchardet, then iconv. */
#include "crawler/charset.h"

#include <errno.h>
#include <iconv.h>
#include <stdint.h>
#include <string.h>
#include <strings.h>
#include <uchardet/uchardet.h>

#include "common/buf.h"
#include "common/util.h"

/* How far into the body a <meta> declaration counts (the HTML standard prescans 1024
 * bytes; CMS templates often put a long comment or script first, hence more). */
#define PRESCAN_BYTES 4096
/* The detector guesses badly on little evidence; below this many non-ASCII bytes the
 * default wins. */
#define DETECT_MIN_NON_ASCII 256
/* The detector has made up its mind long before this; feeding it more only costs time. */
#define DETECT_MAX_BYTES (256 * 1024)

static const char replacement[] = "\xEF\xBF\xBD"; /* U+FFFD */

struct label {
        const char *name;
        const char *canonical;
};

/* Labels from the WHATWG Encoding Standard for the encodings we expect, the names uchardet
 * answers with, and the gb2312 family that must be decoded as GB18030 (see charset.h).
 * Every canonical name must be one glibc's iconv_open() accepts (test_charset checks). */
static const struct label labels[] = {
    {"utf-8", "UTF-8"},
    {"utf8", "UTF-8"},
    {"unicode-1-1-utf-8", "UTF-8"},
    {"gb2312", "GB18030"},
    {"gbk", "GB18030"},
    {"x-gbk", "GB18030"},
    {"cp936", "GB18030"},
    {"ms936", "GB18030"},
    {"windows-936", "GB18030"},
    {"euc-cn", "GB18030"},
    {"x-euc-cn", "GB18030"},
    {"gb_2312-80", "GB18030"},
    {"gb_2312", "GB18030"},
    {"csgb2312", "GB18030"},
    {"iso-ir-58", "GB18030"},
    {"chinese", "GB18030"},
    {"gb18030", "GB18030"},
    {"big5", "BIG5"},
    {"cn-big5", "BIG5"},
    {"csbig5", "BIG5"},
    {"x-x-big5", "BIG5"},
    {"big5-hkscs", "BIG5-HKSCS"},
    {"euc-tw", "EUC-TW"},
    /* Browsers decode Latin-1 and ASCII labels as windows-1252, whose extra characters
     * (curly quotes, the euro sign) pages labelled iso-8859-1 really contain. */
    {"iso-8859-1", "WINDOWS-1252"},
    {"iso8859-1", "WINDOWS-1252"},
    {"iso_8859-1", "WINDOWS-1252"},
    {"latin1", "WINDOWS-1252"},
    {"l1", "WINDOWS-1252"},
    {"us-ascii", "WINDOWS-1252"},
    {"ascii", "WINDOWS-1252"},
    {"windows-1252", "WINDOWS-1252"},
    {"cp1252", "WINDOWS-1252"},
    {"x-cp1252", "WINDOWS-1252"},
    {"utf-16", "UTF-16LE"},
    {"utf-16le", "UTF-16LE"},
    {"utf-16be", "UTF-16BE"},
    {"shift_jis", "SHIFT_JIS"},
    {"shift-jis", "SHIFT_JIS"},
    {"sjis", "SHIFT_JIS"},
    {"x-sjis", "SHIFT_JIS"},
    {"ms_kanji", "SHIFT_JIS"},
    {"euc-jp", "EUC-JP"},
    {"iso-2022-jp", "ISO-2022-JP"},
    {"euc-kr", "EUC-KR"},
    {"ks_c_5601-1987", "EUC-KR"},
    {"uhc", "CP949"},
    {"windows-949", "CP949"},
    {"iso-2022-kr", "ISO-2022-KR"},
    {"iso-2022-cn", "ISO-2022-CN"},
    {"koi8-r", "KOI8-R"},
    {"koi8-u", "KOI8-U"},
    {"ibm855", "IBM855"},
    {"ibm866", "IBM866"},
    {"mac-cyrillic", "MAC-CYRILLIC"},
    {"tis-620", "TIS-620"},
    {"viscii", "VISCII"},
    {"windows-1250", "WINDOWS-1250"},
    {"windows-1251", "WINDOWS-1251"},
    {"windows-1253", "WINDOWS-1253"},
    {"windows-1254", "WINDOWS-1254"},
    {"windows-1255", "WINDOWS-1255"},
    {"windows-1256", "WINDOWS-1256"},
    {"windows-1257", "WINDOWS-1257"},
    {"windows-1258", "WINDOWS-1258"},
    {"iso-8859-2", "ISO-8859-2"},
    {"iso-8859-3", "ISO-8859-3"},
    {"iso-8859-4", "ISO-8859-4"},
    {"iso-8859-5", "ISO-8859-5"},
    {"iso-8859-6", "ISO-8859-6"},
    {"iso-8859-7", "ISO-8859-7"},
    {"iso-8859-8", "ISO-8859-8"},
    {"iso-8859-9", "ISO-8859-9"},
    {"iso-8859-10", "ISO-8859-10"},
    {"iso-8859-11", "ISO-8859-11"},
    {"iso-8859-13", "ISO-8859-13"},
    {"iso-8859-15", "ISO-8859-15"},
    {"iso-8859-16", "ISO-8859-16"},
};

static bool is_space(char c)
{
        return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f';
}

/* Looks a label of n bytes up, ignoring case and surrounding white space. */
static const char *canonical_n(const char *s, size_t n)
{
        while (n && is_space(*s)) {
                s++;
                n--;
        }
        while (n && is_space(s[n - 1]))
                n--;
        if (n == 0)
                return NULL;
        for (size_t i = 0; i < ARRAY_SIZE(labels); i++)
                if (strlen(labels[i].name) == n && strncasecmp(labels[i].name, s, n) == 0)
                        return labels[i].canonical;
        return NULL;
}

const char *charset_canonical(const char *label)
{
        return label ? canonical_n(label, strlen(label)) : NULL;
}

static bool starts_with_ci(const char *s, size_t n, const char *prefix)
{
        size_t pl = strlen(prefix);
        return n >= pl && strncasecmp(s, prefix, pl) == 0;
}

/* The charset parameter of a Content-Type value ("text/html; charset=GBK",
 * 'text/html;charset="gb2312"'), as a new string, or NULL. */
static char *header_charset(const char *ct)
{
        const char *p = ct;

        while ((p = strchr(p, ';'))) {
                p++;
                while (is_space(*p))
                        p++;
                size_t name = strcspn(p, "=; \t");
                const char *q = p + name;
                while (is_space(*q))
                        q++;
                if (*q != '=' || name != 7 || strncasecmp(p, "charset", 7) != 0)
                        continue;
                q++;
                while (is_space(*q))
                        q++;
                size_t n;
                if (*q == '"' || *q == '\'') {
                        char quote = *q++;
                        const char *end = strchr(q, quote);
                        n = end ? (size_t)(end - q) : strlen(q);
                } else {
                        n = strcspn(q, "; \t\r\n");
                }
                if (n)
                        return xstrndup(q, n);
        }
        return NULL;
}

/* An attribute as the HTML prescan reads it; name and value point into the body. */
struct attr {
        const char *name, *value;
        size_t name_len, value_len;
};

/* Reads the next attribute of a tag at *pos in s[0, n), in the manner of the HTML
 * standard's "get an attribute" algorithm. Returns false at the end of the tag. */
static bool next_attr(const char *s, size_t n, size_t *pos, struct attr *a)
{
        size_t p = *pos;

        while (p < n && (is_space(s[p]) || s[p] == '/'))
                p++;
        if (p >= n || s[p] == '>') {
                *pos = p;
                return false;
        }
        *a = (struct attr){.name = s + p};
        /* A name may start with '=' in the standard; it is only a name then. */
        do
                p++;
        while (p < n && !is_space(s[p]) && s[p] != '=' && s[p] != '/' && s[p] != '>');
        a->name_len = (size_t)(s + p - a->name);
        while (p < n && is_space(s[p]))
                p++;
        if (p >= n || s[p] != '=') {
                a->value = s + p;
                *pos = p;
                return true;
        }
        p++;
        while (p < n && is_space(s[p]))
                p++;
        if (p < n && (s[p] == '"' || s[p] == '\'')) {
                char quote = s[p++];
                a->value = s + p;
                while (p < n && s[p] != quote)
                        p++;
                a->value_len = (size_t)(s + p - a->value);
                if (p < n)
                        p++;
        } else {
                a->value = s + p;
                while (p < n && !is_space(s[p]) && s[p] != '>')
                        p++;
                a->value_len = (size_t)(s + p - a->value);
        }
        *pos = p;
        return true;
}

/* The charset named in a meta content attribute ("text/html; charset=gb2312"), following
 * the standard's extraction algorithm. Sets *ret and *ret_len into v, or returns false. */
static bool content_charset(const char *v, size_t n, const char **ret, size_t *ret_len)
{
        size_t p = 0;

        for (;;) {
                while (p < n && !starts_with_ci(v + p, n - p, "charset"))
                        p++;
                if (p >= n)
                        return false;
                p += 7;
                while (p < n && is_space(v[p]))
                        p++;
                if (p < n && v[p] == '=')
                        break;
        }
        p++;
        while (p < n && is_space(v[p]))
                p++;
        if (p >= n)
                return false;
        size_t start = p;
        if (v[p] == '"' || v[p] == '\'') {
                char quote = v[p++];
                start = p;
                while (p < n && v[p] != quote)
                        p++;
                if (p >= n)
                        return false;
        } else {
                while (p < n && !is_space(v[p]) && v[p] != ';')
                        p++;
        }
        if (p == start)
                return false;
        *ret = v + start;
        *ret_len = p - start;
        return true;
}

/* Reads one <meta> tag whose attributes start at *pos; returns the label it declares. */
static bool meta_label(const char *s, size_t n, size_t *pos, const char **ret, size_t *ret_len)
{
        struct attr a;
        bool got_pragma = false, need_pragma = false, found = false;

        while (next_attr(s, n, pos, &a)) {
                if (a.name_len == 10 && strncasecmp(a.name, "http-equiv", 10) == 0) {
                        if (a.value_len == 12 && strncasecmp(a.value, "content-type", 12) == 0)
                                got_pragma = true;
                } else if (a.name_len == 7 && strncasecmp(a.name, "content", 7) == 0) {
                        if (!found && content_charset(a.value, a.value_len, ret, ret_len)) {
                                found = true;
                                need_pragma = true;
                        }
                } else if (a.name_len == 7 && strncasecmp(a.name, "charset", 7) == 0) {
                        if (a.value_len) {
                                *ret = a.value;
                                *ret_len = a.value_len;
                                found = true;
                                need_pragma = false;
                        }
                }
        }
        /* A content="...charset=..." only counts on a http-equiv="Content-Type" meta. */
        return found && (!need_pragma || got_pragma);
}

/* Skips the rest of a tag whose name starts at *pos. */
static void skip_tag(const char *s, size_t n, size_t *pos)
{
        struct attr a;
        while (*pos < n && !is_space(s[*pos]) && s[*pos] != '>')
                (*pos)++;
        while (next_attr(s, n, pos, &a))
                ;
}

/* Scans the first bytes for a <meta> charset declaration, skipping comments and the
 * attributes of other tags (a quoted '>' there does not end the tag). Returns the
 * canonical charset of the first declaration we know, and its label in *ret_label (a new
 * string); when no label is known, *ret_label is the first unknown one, so that the
 * caller can still report what the page said. */
static const char *meta_prescan(const char *s, size_t n, char **ret_label)
{
        size_t pos = 0;

        *ret_label = NULL;
        while (pos < n) {
                if (s[pos] != '<') {
                        pos++;
                        continue;
                }
                const char *p = s + pos;
                size_t left = n - pos;
                if (starts_with_ci(p, left, "<!--")) {
                        const char *end = memmem(p + 2, left - 2, "-->", 3);
                        if (!end)
                                break;
                        pos = (size_t)(end - s) + 3;
                } else if (starts_with_ci(p, left, "<meta") && left > 5 &&
                           (is_space(p[5]) || p[5] == '/')) {
                        const char *label;
                        size_t label_len;
                        pos += 5;
                        if (!meta_label(s, n, &pos, &label, &label_len))
                                continue;
                        const char *cs = canonical_n(label, label_len);
                        if (cs) {
                                free(*ret_label);
                                *ret_label = xstrndup(label, label_len);
                                /* The standard: a page that says UTF-16 in bytes we can
                                 * read as ASCII is not UTF-16. */
                                return strncmp(cs, "UTF-16", 6) == 0 ? "UTF-8" : cs;
                        }
                        if (!*ret_label)
                                *ret_label = xstrndup(label, label_len);
                } else if (left > 1 && (((p[1] | 0x20) >= 'a' && (p[1] | 0x20) <= 'z') ||
                                        (p[1] == '/' && left > 2 && (p[2] | 0x20) >= 'a' &&
                                         (p[2] | 0x20) <= 'z'))) {
                        pos += p[1] == '/' ? 2 : 1;
                        skip_tag(s, n, &pos);
                } else if (left > 1 && (p[1] == '!' || p[1] == '/' || p[1] == '?')) {
                        const char *end = memchr(p, '>', left);
                        if (!end)
                                break;
                        pos = (size_t)(end - s) + 1;
                } else {
                        pos++;
                }
        }
        return NULL;
}

static const char *bom_charset(const unsigned char *b, size_t len, size_t *ret_skip)
{
        if (len >= 3 && b[0] == 0xEF && b[1] == 0xBB && b[2] == 0xBF) {
                *ret_skip = 3;
                return "UTF-8";
        }
        if (len >= 2 && b[0] == 0xFF && b[1] == 0xFE) {
                *ret_skip = 2;
                return "UTF-16LE";
        }
        if (len >= 2 && b[0] == 0xFE && b[1] == 0xFF) {
                *ret_skip = 2;
                return "UTF-16BE";
        }
        *ret_skip = 0;
        return NULL;
}

/* True when the bytes are UTF-8 except, perhaps, for one sequence cut off at the very end:
 * bodies are often capped mid-character, and that must not turn a UTF-8 page into a
 * GB18030 one. *ret_multibyte says whether any non-ASCII character was seen. */
static bool utf8_plausible(const unsigned char *s, size_t n, bool *ret_multibyte)
{
        size_t cut = n;

        /* Find the last lead byte within the last four bytes and see if its sequence is
         * complete. */
        for (size_t back = 1; back <= 4 && back <= n; back++) {
                unsigned char c = s[n - back];
                if ((c & 0xC0) == 0x80)
                        continue;
                size_t need = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1;
                if (c >= 0xC2 && c <= 0xF4 && need > back)
                        cut = n - back;
                break;
        }
        *ret_multibyte = false;
        for (size_t i = 0; i < n; i++)
                if (s[i] >= 0x80) {
                        *ret_multibyte = true;
                        break;
                }
        return utf8_valid((const char *)s, cut);
}

/* Walks the bytes as GB18030 and judges whether they look like Chinese text in it: well
 * formed (a sequence cut at the end is allowed), with at least half of the two-byte
 * characters in the GB2312 punctuation rows or the first level of hanzi, where nearly
 * every character of real text falls. UTF-8 read as GBK lands mostly elsewhere. */
static bool gb18030_plausible(const unsigned char *s, size_t n)
{
        size_t pairs = 0, common = 0, i = 0;

        while (i < n) {
                unsigned char c = s[i];
                if (c < 0x80) {
                        i++;
                        continue;
                }
                if (c == 0x80 || c == 0xFF)
                        return false;
                if (i + 1 >= n)
                        break;
                unsigned char t = s[i + 1];
                if (t >= 0x30 && t <= 0x39) {
                        if (i + 3 >= n)
                                break;
                        if (s[i + 2] < 0x81 || s[i + 2] > 0xFE || s[i + 3] < 0x30 ||
                            s[i + 3] > 0x39)
                                return false;
                        pairs++;
                        i += 4;
                        continue;
                }
                if (t < 0x40 || t == 0x7F || t == 0xFF)
                        return false;
                pairs++;
                if (((c >= 0xB0 && c <= 0xD7) || (c >= 0xA1 && c <= 0xA9)) && t >= 0xA1)
                        common++;
                i += 2;
        }
        return pairs > 0 && common * 2 >= pairs;
}

/* Checks a declared charset against the bytes; returns the charset to use. */
static const char *check_declared(const char *declared, const unsigned char *b, size_t len,
                                  bool *ret_conflict)
{
        bool multibyte;

        *ret_conflict = false;
        if (streq(declared, "UTF-8")) {
                if (!utf8_plausible(b, len, &multibyte) && gb18030_plausible(b, len)) {
                        *ret_conflict = true;
                        return "GB18030";
                }
        } else if (streq(declared, "GB18030")) {
                if (utf8_plausible(b, len, &multibyte) && multibyte && !gb18030_plausible(b, len)) {
                        *ret_conflict = true;
                        return "UTF-8";
                }
        }
        return declared;
}

/* Asks uchardet; returns a canonical charset or NULL when it has no answer we know. */
static const char *detect(const char *b, size_t len)
{
        uchardet_t ud = uchardet_new();
        const char *cs = NULL;

        if (!ud)
                return NULL;
        if (uchardet_handle_data(ud, b, len < DETECT_MAX_BYTES ? len : DETECT_MAX_BYTES) == 0) {
                uchardet_data_end(ud);
                cs = charset_canonical(uchardet_get_charset(ud));
        }
        uchardet_delete(ud);
        return cs;
}

/* The length of the well-formed UTF-8 sequence at s, or 0 when there is none. */
static size_t utf8_sequence(const unsigned char *s, size_t n)
{
        size_t len = s[0] < 0x80   ? 1
                     : s[0] < 0xC2 ? 0
                     : s[0] < 0xE0 ? 2
                     : s[0] < 0xF0 ? 3
                     : s[0] < 0xF5 ? 4
                                   : 0;
        if (len == 0 || len > n || !utf8_valid((const char *)s, len))
                return 0;
        return len;
}

/* UTF-8 input is validated and copied here rather than by iconv, because glibc's UTF-8
 * decoder lets code points above U+10FFFF through ("\xF7\xBE\x88\xB4"), which would
 * put invalid UTF-8 in front of the parser. The rules are the same as in convert(): a
 * bad byte becomes U+FFFD, and the output stops at whole characters under the cap. */
static void copy_utf8(const unsigned char *in, size_t len, struct buf *out,
                      struct charset_result *r)
{
        size_t i = 0;

        /* Almost every page is valid and under the cap: one check, one copy. */
        if (len <= out->max - out->len && utf8_valid((const char *)in, len)) {
                (void)buf_append(out, in, len);
                return;
        }
        while (i < len) {
                size_t run = i, n;
                while (run < len && (n = utf8_sequence(in + run, len - run)))
                        run += n;
                if (run > i) {
                        size_t room = out->max - out->len;
                        if (run - i > room) {
                                /* Back off to the last character that fits. */
                                size_t fit = i + room;
                                while (fit > i && (in[fit] & 0xC0) == 0x80)
                                        fit--;
                                (void)buf_append(out, in + i, fit - i);
                                r->truncated = true;
                                return;
                        }
                        (void)buf_append(out, in + i, run - i);
                        i = run;
                        if (i >= len)
                                break;
                }
                if (buf_append(out, replacement, 3) < 0) {
                        r->truncated = true;
                        return;
                }
                r->invalid++;
                i++;
        }
}

/* Converts with iconv into out (capped at its max). Invalid or incomplete input becomes
 * U+FFFD one byte at a time, so one bad byte costs one character, not the rest of the
 * page. Returns false when iconv cannot convert from charset at all. */
static bool convert(const char *charset, const char *in, size_t len, struct buf *out,
                    struct charset_result *r)
{
        iconv_t cd;
        char chunk[8192];
        char *ip = (char *)in;
        size_t ileft = len;
        bool flushing = false;

        if (streq(charset, "UTF-8")) {
                copy_utf8((const unsigned char *)in, len, out, r);
                return true;
        }
        cd = iconv_open("UTF-8", charset);
        if (cd == (iconv_t)-1)
                return false;
        for (;;) {
                size_t room = out->max - out->len;
                size_t osize = room < sizeof(chunk) ? room : sizeof(chunk);
                char *op = chunk;
                size_t oleft = osize, rc;

                /* After the input, one call with NULL input writes any closing shift
                 * sequence of stateful encodings. */
                if (ileft == 0)
                        flushing = true;
                if (flushing)
                        rc = iconv(cd, NULL, NULL, &op, &oleft);
                else
                        rc = iconv(cd, &ip, &ileft, &op, &oleft);
                int err = rc == (size_t)-1 ? errno : 0;
                /* osize never exceeds the room left, so this cannot fail. */
                (void)buf_append(out, chunk, (size_t)(op - chunk));
                if (err == 0) {
                        if (flushing)
                                break;
                } else if (err == E2BIG) {
                        /* A full chunk is only a pause; a full buffer is the cap. */
                        if (osize < sizeof(chunk)) {
                                r->truncated = true;
                                break;
                        }
                } else if ((err == EILSEQ || err == EINVAL) && !flushing) {
                        if (buf_append(out, replacement, 3) < 0) {
                                r->truncated = true;
                                break;
                        }
                        r->invalid++;
                        ip++;
                        ileft--;
                        iconv(cd, NULL, NULL, NULL, NULL);
                } else {
                        break;
                }
        }
        iconv_close(cd);
        return true;
}

int charset_decode(const char *body, size_t len, const char *content_type, size_t max_out,
                   struct charset_result *ret)
{
        const unsigned char *b = (const unsigned char *)body;
        const char *charset = NULL, *source = NULL, *header_cs = NULL, *meta_cs = NULL;
        char *header_label = NULL, *meta_text = NULL;
        bool conflict = false, multibyte;
        size_t skip;

        if (max_out == 0 || (!body && len))
                return -EINVAL;
        if (!body)
                body = "";
        *ret = (struct charset_result){0};

        if (content_type) {
                header_label = header_charset(content_type);
                header_cs = charset_canonical(header_label);
        }
        meta_cs = meta_prescan(body, len < PRESCAN_BYTES ? len : PRESCAN_BYTES, &meta_text);

        /* What the page said: a known header label, else a known meta label, else whatever
         * label we could not use, so the caller can report it. */
        if (header_cs || (!meta_cs && header_label)) {
                ret->declared = header_label;
                free(meta_text);
        } else {
                ret->declared = meta_text;
                free(header_label);
        }

        charset = bom_charset(b, len, &skip);
        if (charset) {
                source = "bom";
        } else if (header_cs || meta_cs) {
                source = header_cs ? "header" : "meta";
                charset = check_declared(header_cs ? header_cs : meta_cs, b, len, &conflict);
        } else if (utf8_plausible(b, len, &multibyte)) {
                charset = "UTF-8";
                source = "utf8";
        } else {
                size_t non_ascii = 0;
                for (size_t i = 0; i < len; i++)
                        non_ascii += b[i] >= 0x80;
                if (non_ascii >= DETECT_MIN_NON_ASCII && (charset = detect(body, len)))
                        source = "detector";
        }
        if (!charset) {
                charset = "GB18030";
                source = "default";
        }

        struct buf out;
        buf_init(&out, max_out);
        if (!convert(charset, body + skip, len - skip, &out, ret)) {
                /* Only a canonical name glibc lacks gets here; UTF-8 needs no iconv. */
                charset = "UTF-8";
                convert(charset, body + skip, len - skip, &out, ret);
        }
        ret->len = out.len;
        ret->utf8 = buf_steal(&out);
        ret->charset = xstrdup(charset);
        ret->source = source;
        ret->conflict = conflict;
        return 0;
}

void charset_result_free(struct charset_result *r)
{
        if (!r)
                return;
        free(r->utf8);
        free(r->charset);
        free(r->declared);
        *r = (struct charset_result){0};
}
