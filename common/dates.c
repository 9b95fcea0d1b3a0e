/* Date extraction from page text and URLs; see dates.h. A small hand-written scanner over
 * "symbols" (a digit, a separator, 年/月/日, a bracket...) in which full-width forms and
 * their ASCII counterparts are the same symbol, so one set of rules covers both. */
#include "common/dates.h"

#include <errno.h>
#include <stdint.h>
#include <string.h>

#define YEAR_MIN 1990
#define YEAR_MAX 2100
/* White space tolerated between the parts of "2023 年 4 月 7 日" and before a time. */
#define MAX_GAP 3

enum kind {
        K_END,
        K_DIGIT,
        K_DASH,
        K_SLASH,
        K_DOT,
        K_COLON,
        K_YEAR,  /* 年 */
        K_MONTH, /* 月 */
        K_DAY,   /* 日 or 号 */
        K_SPACE,
        K_OPEN,  /* [ ( 【 （ ［ 〔 */
        K_CLOSE, /* ] ) 】 ） ］ 〕 */
        K_T,     /* the ASCII letter T, which separates date and time in ISO 8601 */
        K_ALNUM, /* any other ASCII or full-width letter */
        K_OTHER,
};

struct sym {
        enum kind kind;
        int digit;  /* value for K_DIGIT */
        size_t len; /* bytes taken by the symbol; 0 at the end */
};

struct text {
        const unsigned char *s;
        size_t len;
};

static bool is_cont(unsigned char c)
{
        return (c & 0xC0) == 0x80;
}

/* Classifies a three-byte UTF-8 character, the length of every non-ASCII symbol we know
 * except U+00A0. */
static struct sym classify3(uint32_t cp)
{
        if (cp >= 0xFF10 && cp <= 0xFF19)
                return (struct sym){K_DIGIT, (int)(cp - 0xFF10), 3};
        if ((cp >= 0xFF21 && cp <= 0xFF3A) || (cp >= 0xFF41 && cp <= 0xFF5A))
                return (struct sym){K_ALNUM, 0, 3};
        switch (cp) {
        case 0xFF0D: /* － */
                return (struct sym){K_DASH, 0, 3};
        case 0xFF0F: /* ／ */
                return (struct sym){K_SLASH, 0, 3};
        case 0xFF0E: /* ． */
                return (struct sym){K_DOT, 0, 3};
        case 0xFF1A: /* ： */
                return (struct sym){K_COLON, 0, 3};
        case 0x5E74: /* 年 */
                return (struct sym){K_YEAR, 0, 3};
        case 0x6708: /* 月 */
                return (struct sym){K_MONTH, 0, 3};
        case 0x65E5: /* 日 */
        case 0x53F7: /* 号, as in the spoken "4月7号" */
                return (struct sym){K_DAY, 0, 3};
        case 0x3000: /* ideographic space */
                return (struct sym){K_SPACE, 0, 3};
        case 0x3010: /* 【 */
        case 0x3014: /* 〔 */
        case 0xFF08: /* （ */
        case 0xFF3B: /* ［ */
                return (struct sym){K_OPEN, 0, 3};
        case 0x3011: /* 】 */
        case 0x3015: /* 〕 */
        case 0xFF09: /* ） */
        case 0xFF3D: /* ］ */
                return (struct sym){K_CLOSE, 0, 3};
        default:
                return (struct sym){K_OTHER, 0, 3};
        }
}

static struct sym classify_ascii(unsigned char c)
{
        if (c >= '0' && c <= '9')
                return (struct sym){K_DIGIT, c - '0', 1};
        if (c == 'T')
                return (struct sym){K_T, 0, 1};
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))
                return (struct sym){K_ALNUM, 0, 1};
        switch (c) {
        case '-':
                return (struct sym){K_DASH, 0, 1};
        case '/':
                return (struct sym){K_SLASH, 0, 1};
        case '.':
                return (struct sym){K_DOT, 0, 1};
        case ':':
                return (struct sym){K_COLON, 0, 1};
        case ' ':
        case '\t':
        case '\r':
        case '\n':
                return (struct sym){K_SPACE, 0, 1};
        case '[':
        case '(':
                return (struct sym){K_OPEN, 0, 1};
        case ']':
        case ')':
                return (struct sym){K_CLOSE, 0, 1};
        default:
                return (struct sym){K_OTHER, 0, 1};
        }
}

/* The symbol starting at byte pos. Bytes that do not begin a well-formed character we
 * know are K_OTHER of length 1, so invalid UTF-8 is stepped over a byte at a time. */
static struct sym sym_at(const struct text *t, size_t pos)
{
        if (pos >= t->len)
                return (struct sym){K_END, 0, 0};
        const unsigned char *p = t->s + pos;
        size_t left = t->len - pos;

        if (p[0] < 0x80)
                return classify_ascii(p[0]);
        if (p[0] == 0xC2 && left >= 2 && p[1] == 0xA0)
                return (struct sym){K_SPACE, 0, 2};
        if (p[0] >= 0xE0 && p[0] <= 0xEF && left >= 3 && is_cont(p[1]) && is_cont(p[2]))
                return classify3(((uint32_t)(p[0] & 0x0F) << 12) | ((uint32_t)(p[1] & 0x3F) << 6) |
                                 (p[2] & 0x3F));
        return (struct sym){K_OTHER, 0, 1};
}

/* The symbol that ends just before pos, with its length, or K_END at the start. Every
 * multi-byte symbol we classify is a complete character, so it can be recognised from
 * its last byte backwards without resynchronising the whole text. */
static struct sym sym_before(const struct text *t, size_t pos)
{
        if (pos == 0 || pos > t->len)
                return (struct sym){K_END, 0, 0};
        const unsigned char *s = t->s;
        if (pos >= 3 && s[pos - 3] >= 0xE0 && s[pos - 3] <= 0xEF && is_cont(s[pos - 2]) &&
            is_cont(s[pos - 1]))
                return sym_at(t, pos - 3);
        if (pos >= 2 && s[pos - 2] == 0xC2 && s[pos - 1] == 0xA0)
                return (struct sym){K_SPACE, 0, 2};
        if (s[pos - 1] < 0x80)
                return classify_ascii(s[pos - 1]);
        return (struct sym){K_OTHER, 0, 1};
}

/* Reads a run of digits at *pos: at most 9 are read, so a value of 9 digits means "longer
 * than any date part" and the caller rejects it. Returns the number of digits read. */
static int read_number(const struct text *t, size_t *pos, int *ret_value)
{
        int n = 0, v = 0;
        struct sym c;

        while (n < 9 && (c = sym_at(t, *pos)).kind == K_DIGIT) {
                v = v * 10 + c.digit;
                *pos += c.len;
                n++;
        }
        *ret_value = v;
        return n;
}

/* Skips at most max symbols of white space. */
static size_t skip_space(const struct text *t, size_t pos, int max)
{
        struct sym c;
        for (int i = 0; i < max && (c = sym_at(t, pos)).kind == K_SPACE; i++)
                pos += c.len;
        return pos;
}

/* Accepts symbol kind k at *pos. */
static bool accept(const struct text *t, size_t *pos, enum kind k)
{
        struct sym c = sym_at(t, *pos);
        if (c.kind != k)
                return false;
        *pos += c.len;
        return true;
}

static bool is_separator(enum kind k)
{
        return k == K_DASH || k == K_SLASH || k == K_DOT;
}

static bool is_word(enum kind k)
{
        return k == K_ALNUM || k == K_T;
}

/* True when the number ending at pos is continued by a separator and another digit, as in
 * the tail of "2023.4.7.1" or "04-07-12": such text is a version, a phone number or a
 * code, not a date. */
static bool continued_by_number(const struct text *t, size_t pos)
{
        struct sym c = sym_at(t, pos);
        if (!is_separator(c.kind) && c.kind != K_COLON)
                return false;
        return sym_at(t, pos + c.len).kind == K_DIGIT;
}

/* The mirror of continued_by_number for the text before a match. */
static bool preceded_by_number(const struct text *t, size_t pos)
{
        struct sym c = sym_before(t, pos);
        if (!is_separator(c.kind) && c.kind != K_COLON)
                return false;
        return sym_before(t, pos - c.len).kind == K_DIGIT;
}

static bool year_ok(int y)
{
        return y >= YEAR_MIN && y <= YEAR_MAX;
}

/* Reads an optional time of day ("10:21", "10:21:00", after white space or a "T") at
 * *pos; on success fills ret and moves *pos past it. */
static void read_time(const struct text *t, size_t *pos, struct text_date *ret)
{
        size_t p = *pos;
        int h, m, s = 0;

        if (!accept(t, &p, K_T))
                p = skip_space(t, p, MAX_GAP);
        if (p == *pos)
                return;
        int nh = read_number(t, &p, &h);
        if (nh < 1 || nh > 2 || !accept(t, &p, K_COLON) || read_number(t, &p, &m) != 2)
                return;
        size_t q = p;
        if (accept(t, &q, K_COLON)) {
                if (read_number(t, &q, &s) != 2)
                        return;
                p = q;
        }
        if (h > 23 || m > 59 || s > 59 || continued_by_number(t, p))
                return;
        ret->has_time = true;
        ret->hour = h;
        ret->minute = m;
        ret->second = s;
        *pos = p;
}

/* Fills ret for an explicit year; false when the day does not exist or the year is out
 * of range. */
static bool set_day(struct text_date *ret, int y, int m, int d)
{
        if (!year_ok(y) || !civil_valid(y, m, d))
                return false;
        ret->day = day_from_civil(y, m, d);
        ret->year_inferred = false;
        return true;
}

/* A date without a year takes the year of today, or the year before when that would put
 * it after today; a 29 February that does not exist this year is tried last year too. */
static bool set_day_inferred(struct text_date *ret, int m, int d, xj_day today)
{
        int ty, tm, td;

        civil_from_day(today, &ty, &tm, &td);
        for (int y = ty; y >= ty - 1; y--) {
                if (!civil_valid(y, m, d))
                        continue;
                xj_day day = day_from_civil(y, m, d);
                if (day > today)
                        continue;
                ret->day = day;
                ret->year_inferred = true;
                return true;
        }
        return false;
}

/* "2023-04-07", "2023/4/7", "2023.04.07" after a four-digit year ending at pos. */
static bool match_ymd_separated(const struct text *t, size_t start, size_t pos, int y,
                                struct text_date *ret, size_t *ret_end)
{
        struct sym sep = sym_at(t, pos);
        int m, d;

        if (!is_separator(sep.kind))
                return false;
        pos += sep.len;
        int nm = read_number(t, &pos, &m);
        if (nm < 1 || nm > 2 || !accept(t, &pos, sep.kind))
                return false;
        int nd = read_number(t, &pos, &d);
        if (nd < 1 || nd > 2)
                return false;
        /* "1.2023.04.07" and "2023.04.07.1" are parts of longer dotted numbers. */
        if (continued_by_number(t, pos) || preceded_by_number(t, start))
                return false;
        if (!set_day(ret, y, m, d))
                return false;
        *ret_end = pos;
        return true;
}

/* The part every Chinese date ends with, after the month number: "月 7 日" (white space
 * allowed between the parts). Advances *pos past it and sets *ret_day. */
static bool match_chinese_day_tail(const struct text *t, size_t *pos, int *ret_day)
{
        size_t p = skip_space(t, *pos, MAX_GAP);

        if (!accept(t, &p, K_MONTH))
                return false;
        p = skip_space(t, p, MAX_GAP);
        int nd = read_number(t, &p, ret_day);
        if (nd < 1 || nd > 2)
                return false;
        p = skip_space(t, p, MAX_GAP);
        if (!accept(t, &p, K_DAY))
                return false;
        *pos = p;
        return true;
}

/* "2023年4月7日", white space allowed between the parts. */
static bool match_ymd_chinese(const struct text *t, size_t pos, int y, struct text_date *ret,
                              size_t *ret_end)
{
        int m, d;

        pos = skip_space(t, pos, MAX_GAP);
        if (!accept(t, &pos, K_YEAR))
                return false;
        pos = skip_space(t, pos, MAX_GAP);
        int nm = read_number(t, &pos, &m);
        if (nm < 1 || nm > 2 || !match_chinese_day_tail(t, &pos, &d))
                return false;
        if (!set_day(ret, y, m, d))
                return false;
        *ret_end = pos;
        return true;
}

/* "20230407" standing alone: not glued to letters, and not a part of a phone number such
 * as "0371-20230407". */
static bool match_compact(const struct text *t, size_t start, size_t pos, int v,
                          struct text_date *ret, size_t *ret_end)
{
        if (is_word(sym_before(t, start).kind) || is_word(sym_at(t, pos).kind))
                return false;
        if (preceded_by_number(t, start) || continued_by_number(t, pos))
                return false;
        if (!set_day(ret, v / 10000, v / 100 % 100, v % 100))
                return false;
        *ret_end = pos;
        return true;
}

/* "04-07", "[04-07]", "(4/7)": month and day without a year. Bare, both parts must have two
 * digits and the pair must not be a piece of a longer number ("0371-12-30"), because short
 * numbers joined by a dash are common in text ("第3-5条"). */
static bool match_md_separated(const struct text *t, size_t start, size_t pos, int nm, int m,
                               xj_day today, struct text_date *ret, size_t *ret_end)
{
        struct sym sep = sym_at(t, pos);
        int d;

        if (sep.kind != K_DASH && sep.kind != K_SLASH)
                return false;
        pos += sep.len;
        int nd = read_number(t, &pos, &d);
        if (nd < 1 || nd > 2)
                return false;
        bool bracketed = sym_before(t, start).kind == K_OPEN && sym_at(t, pos).kind == K_CLOSE;
        if (!bracketed) {
                if (nm != 2 || nd != 2)
                        return false;
                if (preceded_by_number(t, start) || continued_by_number(t, pos) ||
                    is_word(sym_before(t, start).kind) || is_word(sym_at(t, pos).kind))
                        return false;
        }
        if (!set_day_inferred(ret, m, d, today))
                return false;
        *ret_end = pos;
        return true;
}

/* "4月7日" without a year. A 年 just before means a dated text whose year we rejected
 * ("1980年4月7日"), which must not come back with an inferred year. */
static bool match_md_chinese(const struct text *t, size_t start, size_t pos, int m, xj_day today,
                             struct text_date *ret, size_t *ret_end)
{
        int d;
        size_t back = start;

        for (int i = 0; i < MAX_GAP && sym_before(t, back).kind == K_SPACE; i++)
                back -= sym_before(t, back).len;
        if (sym_before(t, back).kind == K_YEAR)
                return false;
        if (!match_chinese_day_tail(t, &pos, &d))
                return false;
        if (!set_day_inferred(ret, m, d, today))
                return false;
        *ret_end = pos;
        return true;
}

/* Tries every form at the digit run that starts at start. */
static bool match_at(const struct text *t, size_t start, xj_day today, struct text_date *ret)
{
        size_t pos = start, end = 0;
        int v;
        bool ok = false;

        *ret = (struct text_date){0};
        int n = read_number(t, &pos, &v);
        if (n == 4)
                ok = match_ymd_separated(t, start, pos, v, ret, &end) ||
                     match_ymd_chinese(t, pos, v, ret, &end);
        else if (n == 8)
                ok = match_compact(t, start, pos, v, ret, &end);
        else if (n == 1 || n == 2)
                ok = match_md_separated(t, start, pos, n, v, today, ret, &end) ||
                     match_md_chinese(t, start, pos, v, today, ret, &end);
        if (!ok)
                return false;
        read_time(t, &end, ret);
        ret->start = start;
        ret->end = end;
        return true;
}

/* Calls back for every date in the text, left to right. Each digit run is tried once and
 * each try looks at a bounded number of symbols, so the scan is linear. */
static int scan(const char *s, size_t len, xj_day today, bool latest, struct text_date *ret)
{
        struct text t = {(const unsigned char *)s, len};
        struct text_date cur, best = {0};
        bool found = false;
        size_t pos = 0;

        if (!s && len)
                return -EINVAL;
        while (pos < len) {
                struct sym c = sym_at(&t, pos);
                if (c.kind != K_DIGIT) {
                        pos += c.len;
                        continue;
                }
                if (match_at(&t, pos, today, &cur)) {
                        if (!found || cur.day > best.day ||
                            (cur.day == best.day && cur.has_time &&
                             (!best.has_time ||
                              cur.hour * 3600 + cur.minute * 60 + cur.second >
                                  best.hour * 3600 + best.minute * 60 + best.second)))
                                best = cur;
                        found = true;
                        if (!latest)
                                break;
                        pos = cur.end;
                        continue;
                }
                /* Skip the rest of this digit run: a date never starts inside one. */
                while ((c = sym_at(&t, pos)).kind == K_DIGIT)
                        pos += c.len;
        }
        if (!found)
                return -ENOENT;
        *ret = best;
        return 0;
}

int date_find(const char *s, size_t len, xj_day today, struct text_date *ret)
{
        return scan(s, len, today, false, ret);
}

int date_find_latest(const char *s, size_t len, xj_day today, struct text_date *ret)
{
        return scan(s, len, today, true, ret);
}

/* URLs are ASCII and their forms are fixed by the CMS, so they get their own stricter
 * matcher over path bytes. */

static bool url_digit(char c)
{
        return c >= '0' && c <= '9';
}

static bool url_letter(char c)
{
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* Reads the digit run at *pos (at most 9 digits counted) in the path [0, end). */
static int url_number(const char *u, size_t end, size_t *pos, int *ret_value)
{
        int n = 0, v = 0;
        while (*pos < end && url_digit(u[*pos])) {
                if (n < 9)
                        v = v * 10 + (u[*pos] - '0');
                n++;
                (*pos)++;
        }
        *ret_value = v;
        return n > 9 ? 9 : n;
}

/* Reads "<sep><1 or 2 digits>" at *pos. */
static bool url_part(const char *u, size_t end, size_t *pos, char sep, int *ret_value)
{
        size_t p = *pos;
        if (p >= end || u[p] != sep)
                return false;
        p++;
        int n = url_number(u, end, &p, ret_value);
        if (n < 1 || n > 2)
                return false;
        *pos = p;
        return true;
}

static bool url_set(struct text_date *ret, size_t start, size_t end, int y, int m, int d)
{
        if (!year_ok(y) || !civil_valid(y, m, d))
                return false;
        *ret = (struct text_date){.day = day_from_civil(y, m, d), .start = start, .end = end};
        return true;
}

/* Tries the URL forms at the digit run [start, pos) of n digits and value v. */
static bool url_match_at(const char *u, size_t end, size_t start, size_t pos, int n, int v,
                         struct text_date *ret)
{
        char before = start > 0 ? u[start - 1] : '/';
        char after = pos < end ? u[pos] : '/';
        int m, d;

        /* "/20230407/", "/t20230407_123.html" */
        if (n == 8 && (!url_letter(before) || before == 't' || before == 'T') && !url_letter(after))
                return url_set(ret, start, pos, v / 10000, v / 100 % 100, v % 100);
        /* "/202304/07/" */
        if (n == 6 && before == '/') {
                size_t p = pos;
                if (url_part(u, end, &p, '/', &d) && p < end && u[p] == '/')
                        return url_set(ret, start, p, v / 100, v % 100, d);
                return false;
        }
        if (n != 4 || (before != '/' && before != '_' && before != '-'))
                return false;
        size_t p = pos;
        /* "/2023/04/07/", "/art/2023/4/7/art_1_2.html": each part a whole path segment. */
        if (before == '/' && url_part(u, end, &p, '/', &m) && url_part(u, end, &p, '/', &d) &&
            (p == end || u[p] == '/'))
                return url_set(ret, start, p, v, m, d);
        p = pos;
        if (url_part(u, end, &p, '-', &m)) {
                size_t q = p;
                /* "/2023-04/07/" */
                if (url_part(u, end, &q, '/', &d) && (q == end || u[q] == '/'))
                        return url_set(ret, start, q, v, m, d);
                /* "/2023-04-07/", "_2023-04-07.html" */
                q = p;
                if (url_part(u, end, &q, '-', &d) &&
                    (q == end || (!url_digit(u[q]) && !url_letter(u[q]) && u[q] != '-')))
                        return url_set(ret, start, q, v, m, d);
        }
        return false;
}

int date_from_url(const char *url, struct text_date *ret)
{
        if (!url)
                return -EINVAL;
        size_t len = strlen(url), start = 0, end = len;

        /* Only the path counts: a host name may hold digits ("www.2023expo.cn"). */
        const char *scheme = strstr(url, "://");
        if (scheme && (size_t)(scheme - url) > strcspn(url, "/?#"))
                scheme = NULL; /* "://" inside the path or the query */
        if (scheme || (len >= 2 && url[0] == '/' && url[1] == '/')) {
                const char *host = scheme ? scheme + 3 : url + 2;
                const char *slash = strchr(host, '/');
                if (!slash)
                        return -ENOENT;
                start = (size_t)(slash - url);
        }
        for (size_t i = start; i < len; i++) {
                if (url[i] == '?' || url[i] == '#') {
                        end = i;
                        break;
                }
        }
        for (size_t pos = start; pos < end;) {
                if (!url_digit(url[pos])) {
                        pos++;
                        continue;
                }
                size_t run = pos;
                int v;
                int n = url_number(url, end, &pos, &v);
                if (url_match_at(url, end, run, pos, n, v, ret))
                        return 0;
        }
        return -ENOENT;
}
