/* Crawler traps; see trap.h. */
#include "crawler/trap.h"

#include <ctype.h>
#include <strings.h>

#include "common/buf.h"
#include "common/util.h"

#define TRAP_MAX_SEGMENTS 32
#define TRAP_SEGMENT_REPEATS 3
#define TRAP_YEARS_BACK 30
#define TRAP_YEARS_AHEAD 2
/* Slots of the per-path counter: 64 Ki * 4 bytes. */
#define TRAP_COUNTER_SLOTS (1u << 16)

static bool is_session_name(const char *name, size_t n)
{
        /* "sid" is left alone: government CMSs use it for the site id. */
        static const char *const names[] = {"jsessionid", "phpsessid", "sessionid", "session_id",
                                            "sessid",     "cfid",      "cftoken",   "zenid",
                                            "oscsid"};
        for (size_t i = 0; i < ARRAY_SIZE(names); i++)
                if (n == strlen(names[i]) && strncasecmp(name, names[i], n) == 0)
                        return true;
        /* ASP's cookie-less session name carries a suffix: ASPSESSIONIDQAQBRDCT. */
        return n >= 12 && strncasecmp(name, "aspsessionid", 12) == 0;
}

char *trap_strip_session(const char *url)
{
        size_t qpos = strcspn(url, "?#");
        const char *semi = memchr(url, ';', qpos);
        bool changed = false;
        struct buf b;

        buf_init(&b, strlen(url) + 1);
        /* Path parameters: "/a.jsp;jsessionid=ABC?x=1" keeps "/a.jsp". */
        if (semi && strncasecmp(semi + 1, "jsessionid=", 11) == 0) {
                buf_append(&b, url, (size_t)(semi - url));
                changed = true;
        } else {
                buf_append(&b, url, qpos);
        }
        if (url[qpos] == '?') {
                const char *q = url + qpos + 1;
                size_t qlen = strcspn(q, "#");
                bool first = true;
                for (const char *p = q; p < q + qlen;) {
                        size_t n = strcspn(p, "&");
                        if (p + n > q + qlen)
                                n = (size_t)(q + qlen - p);
                        size_t name_len = strcspn(p, "=&");
                        if (name_len > n)
                                name_len = n;
                        if (is_session_name(p, name_len)) {
                                changed = true;
                        } else if (n > 0) {
                                buf_append(&b, first ? "?" : "&", 1);
                                buf_append(&b, p, n);
                                first = false;
                        }
                        p += n + 1;
                }
                buf_appends(&b, q + qlen);
        } else {
                buf_appends(&b, url + qpos);
        }
        if (!changed) {
                buf_free(&b);
                return NULL;
        }
        return buf_steal(&b);
}

/* The path of an absolute URL: after "scheme://authority". */
static const char *url_path(const char *url)
{
        const char *p = strstr(url, "://");
        if (!p)
                return url;
        p += 3;
        return p + strcspn(p, "/?#");
}

static bool repeating_segments(const char *path, size_t len)
{
        const char *seg[TRAP_MAX_SEGMENTS + 1];
        size_t seg_len[TRAP_MAX_SEGMENTS + 1], n = 0;

        for (size_t i = 0; i < len;) {
                while (i < len && path[i] == '/')
                        i++;
                size_t start = i;
                while (i < len && path[i] != '/')
                        i++;
                if (i == start)
                        continue;
                if (n == TRAP_MAX_SEGMENTS)
                        return true;
                seg[n] = path + start;
                seg_len[n++] = i - start;
        }
        for (size_t i = 0; i < n; i++) {
                int count = 1;
                for (size_t j = i + 1; j < n; j++)
                        if (seg_len[j] == seg_len[i] && memcmp(seg[j], seg[i], seg_len[i]) == 0)
                                count++;
                if (count >= TRAP_SEGMENT_REPEATS)
                        return true;
        }
        return false;
}

static bool year_far(int year, xj_day today)
{
        int y, m, d;

        civil_from_day(today, &y, &m, &d);
        return year >= 1000 && (year < y - TRAP_YEARS_BACK || year > y + TRAP_YEARS_AHEAD);
}

/* Whether the path or query writes a date far from today: "2126-11", "2126/11", "212611",
 * "21261120", or a parameter named like a year ("year=2126"). A four-digit number counts
 * only with a valid month after it, so that ids ("art_1234_5678") are no dates. */
static bool far_date(const char *s, xj_day today)
{
        for (const char *p = s; *p; p++) {
                if (!isdigit((unsigned char)*p) || (p > s && isdigit((unsigned char)p[-1])))
                        continue;
                size_t n = 0;
                while (isdigit((unsigned char)p[n]))
                        n++;
                int year = -1;
                if (n == 4) {
                        const char *after = p + 4, *name = p;
                        /* The parameter this number is the value of, if any. */
                        if (p > s && p[-1] == '=') {
                                name = p - 1;
                                while (name > s && name[-1] != '?' && name[-1] != '&')
                                        name--;
                        }
                        size_t name_len = (size_t)(p - name);
                        if (name_len == 5 && strncasecmp(name, "year=", 5) == 0)
                                year = atoi(p);
                        else if ((name_len == 2 && strncasecmp(name, "y=", 2) == 0) ||
                                 (name_len == 3 && strncasecmp(name, "yr=", 3) == 0))
                                year = atoi(p);
                        else if (strchr("-/._", after[0]) && after[0] &&
                                 isdigit((unsigned char)after[1])) {
                                int month = atoi(after + 1);
                                if (month >= 1 && month <= 12)
                                        year = atoi(p);
                        }
                } else if (n == 6 || n == 8) {
                        int month = (p[4] - '0') * 10 + (p[5] - '0');
                        if (month >= 1 && month <= 12)
                                year = (p[0] - '0') * 1000 + (p[1] - '0') * 100 +
                                       (p[2] - '0') * 10 + (p[3] - '0');
                }
                if (year_far(year, today))
                        return true;
                p += n - 1;
        }
        return false;
}

const char *trap_check(const char *url, xj_day today)
{
        const char *path = url_path(url);
        size_t path_len = strcspn(path, "?#");

        if (repeating_segments(path, path_len))
                return "路径片段重复";
        /* The path and the query: calendars page by either. */
        if (far_date(path, today))
                return "日历类链接（日期远离今天）";
        return NULL;
}

struct trap_counter {
        unsigned max_per_path;
        uint32_t counts[TRAP_COUNTER_SLOTS];
};

struct trap_counter *trap_counter_new(unsigned max_per_path)
{
        struct trap_counter *t = xcalloc(1, sizeof(*t));
        t->max_per_path = max_per_path;
        return t;
}

void trap_counter_free(struct trap_counter *t)
{
        free(t);
}

bool trap_counter_over(struct trap_counter *t, const char *url)
{
        size_t q = strcspn(url, "?#");
        if (url[q] != '?' || t->max_per_path == 0)
                return false;
        uint32_t slot = (uint32_t)(hash_bytes(url, q) >> 40) & (TRAP_COUNTER_SLOTS - 1);
        if (t->counts[slot] < UINT32_MAX)
                t->counts[slot]++;
        return t->counts[slot] > t->max_per_path;
}
