/* robots.txt parsing and matching per RFC 9309; see robots.h. */
#include "crawler/robots.h"

#include <ctype.h>
#include <strings.h>

#include "common/buf.h"
#include "common/util.h"

/* RFC 9309, 2.5: parse at least 500 kibibytes. */
#define ROBOTS_MAX_BYTES (500 * 1024)
/* Every URL of a host is tested against every rule, so their number is capped; a real
 * file has tens. */
#define ROBOTS_MAX_RULES 4096
#define ROBOTS_MAX_PATTERN 2048

struct rule {
        char *pattern;          /* percent-encoding normalised; may contain '*' */
        size_t len;             /* specificity: octets of the pattern as written */
        bool anchored;          /* ended in '$' */
        bool wild;              /* matched with wildcard_match(), not as a prefix */
        bool allow;
};

struct robots {
        struct rule *rules;
        size_t n_rules;
        bool disallow_all;
        long crawl_delay_ms;
};

static struct robots *robots_new(void)
{
        return xcalloc(1, sizeof(struct robots));
}

struct robots *robots_new_allow_all(void)
{
        return robots_new();
}

struct robots *robots_new_disallow_all(void)
{
        struct robots *r = robots_new();
        r->disallow_all = true;
        return r;
}

void robots_free(struct robots *r)
{
        if (!r)
                return;
        for (size_t i = 0; i < r->n_rules; i++)
                free(r->rules[i].pattern);
        free(r->rules);
        free(r);
}

size_t robots_rule_count(const struct robots *r)
{
        return r->n_rules;
}

long robots_crawl_delay_ms(const struct robots *r)
{
        return r->crawl_delay_ms;
}

static bool is_unreserved(unsigned char c)
{
        return isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~';
}

static int hex_value(unsigned char c)
{
        if (c >= '0' && c <= '9')
                return c - '0';
        c = (unsigned char)tolower(c);
        return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* Brings a path or pattern to one spelling so that both compare octet by octet (RFC 9309,
 * 2.2.2): an escaped unreserved character is decoded, other escapes get upper-case hex,
 * and octets outside printable ASCII (a UTF-8 path written raw in robots.txt) are
 * escaped. '*' and '$' pass through: in a pattern they are special, in a path literal. */
static char *normalise(const char *s, size_t n)
{
        static const char hex[] = "0123456789ABCDEF";
        struct buf b;

        buf_init(&b, n * 3 + 1);
        for (size_t i = 0; i < n; i++) {
                unsigned char c = (unsigned char)s[i];
                if (c == '%' && i + 2 < n &&
                    hex_value((unsigned char)s[i + 1]) >= 0 &&
                    hex_value((unsigned char)s[i + 2]) >= 0) {
                        unsigned char v = (unsigned char)(hex_value((unsigned char)s[i + 1]) * 16 +
                                                          hex_value((unsigned char)s[i + 2]));
                        if (is_unreserved(v)) {
                                buf_append(&b, &v, 1);
                        } else {
                                char e[3] = {'%', hex[v >> 4], hex[v & 15]};
                                buf_append(&b, e, 3);
                        }
                        i += 2;
                } else if (c <= 0x20 || c >= 0x7f) {
                        char e[3] = {'%', hex[c >> 4], hex[c & 15]};
                        buf_append(&b, e, 3);
                } else {
                        buf_append(&b, &c, 1);
                }
        }
        return buf_steal(&b);
}

/* Full match of text against a pattern where '*' matches any run of octets: the usual
 * linear scan that backtracks only to the last star, O(len(text) * len(pattern)) at worst,
 * so a hostile pattern cannot make matching exponential. */
static bool wildcard_match(const char *p, const char *t)
{
        const char *star = NULL, *resume = NULL;

        while (*t) {
                if (*p == '*') {
                        star = p++;
                        resume = t;
                } else if (*p && *p == *t) {
                        p++;
                        t++;
                } else if (star) {
                        p = star + 1;
                        t = ++resume;
                } else {
                        return false;
                }
        }
        while (*p == '*')
                p++;
        return *p == '\0';
}

static bool rule_matches(const struct rule *rule, const char *path)
{
        if (rule->wild)
                return wildcard_match(rule->pattern, path);
        return str_startswith(path, rule->pattern);
}

bool robots_allowed(const struct robots *r, const char *path)
{
        const struct rule *best = NULL;
        _cleanup_free_ char *norm = NULL;

        if (!path || !*path)
                path = "/";
        if (streq(path, "/robots.txt"))
                return true;
        if (r->disallow_all)
                return false;
        norm = normalise(path, strlen(path));
        for (size_t i = 0; i < r->n_rules; i++) {
                const struct rule *rule = &r->rules[i];
                if (best && (rule->len < best->len || (rule->len == best->len && !rule->allow)))
                        continue;
                if (rule_matches(rule, norm))
                        best = rule;
        }
        return !best || best->allow;
}

/* The product token at the start of a user-agent value: "xunjian/0.1 (...)" is
 * "xunjian" (RFC 9309, 2.2.1: letters, '_' and '-'). */
static bool agent_matches(const char *value, size_t n, const char *token, bool *ret_star)
{
        size_t k = 0;

        *ret_star = false;
        if (n >= 1 && value[0] == '*') {
                *ret_star = true;
                return false;
        }
        while (k < n && (isalpha((unsigned char)value[k]) || value[k] == '_' || value[k] == '-'))
                k++;
        return k > 0 && k == strlen(token) && strncasecmp(value, token, k) == 0;
}

struct group_parse {
        bool in_agents;         /* reading the user-agent lines that open a group */
        bool group_ours, group_star;
        bool seen_ours;         /* some group names our token: the "*" groups do not apply */
};

static void add_rule(struct rule **rules, size_t *n, bool allow, const char *v, size_t len)
{
        if (*n >= ROBOTS_MAX_RULES || len == 0 || len > ROBOTS_MAX_PATTERN)
                return;
        bool anchored = v[len - 1] == '$';
        char *pattern = normalise(v, anchored ? len - 1 : len);
        bool wild = anchored || strchr(pattern, '*');
        if (wild && !anchored) {
                /* An unanchored pattern matches a prefix: the same as a trailing star. */
                char *p = xasprintf("%s*", pattern);
                free(pattern);
                pattern = p;
        }
        *rules = xreallocarray(*rules, *n + 1, sizeof(**rules));
        (*rules)[(*n)++] = (struct rule){
                .pattern = pattern,
                .len = len,
                .anchored = anchored,
                .wild = wild,
                .allow = allow,
        };
}

static long parse_delay_ms(const char *v, size_t n)
{
        double d = 0, scale = 0;

        for (size_t i = 0; i < n; i++) {
                if (isdigit((unsigned char)v[i])) {
                        if (scale) {
                                d += (v[i] - '0') * scale;
                                scale /= 10;
                        } else {
                                d = d * 10 + (v[i] - '0');
                        }
                        if (d > 86400)
                                return 86400 * 1000L;
                } else if (v[i] == '.' && !scale) {
                        scale = 0.1;
                } else {
                        break;
                }
        }
        return (long)(d * 1000);
}

struct robots *robots_parse(const char *text, size_t len, const char *token)
{
        struct robots *r = robots_new();
        /* Rules of the groups naming our token, and of the "*" groups; which set applies is
         * known only at the end. */
        struct rule *ours = NULL, *star = NULL;
        size_t n_ours = 0, n_star = 0;
        long delay_ours = 0, delay_star = 0;
        struct group_parse g = {0};

        if (len > ROBOTS_MAX_BYTES)
                len = ROBOTS_MAX_BYTES;
        /* A UTF-8 byte order mark may precede the first line. */
        if (len >= 3 && memcmp(text, "\xef\xbb\xbf", 3) == 0) {
                text += 3;
                len -= 3;
        }
        for (size_t pos = 0; pos < len;) {
                const char *line = text + pos;
                size_t n = 0;
                while (pos + n < len && line[n] != '\n' && line[n] != '\r')
                        n++;
                pos += n;
                while (pos < len && (text[pos] == '\n' || text[pos] == '\r'))
                        pos++;

                const char *hash = memchr(line, '#', n);
                if (hash)
                        n = (size_t)(hash - line);
                const char *colon = memchr(line, ':', n);
                if (!colon)
                        continue;
                const char *k = line, *kend = colon, *v = colon + 1, *vend = line + n;
                while (k < kend && isspace((unsigned char)*k))
                        k++;
                while (kend > k && isspace((unsigned char)kend[-1]))
                        kend--;
                while (v < vend && isspace((unsigned char)*v))
                        v++;
                while (vend > v && isspace((unsigned char)vend[-1]))
                        vend--;
                size_t klen = (size_t)(kend - k), vlen = (size_t)(vend - v);

                if (klen == 10 && strncasecmp(k, "user-agent", 10) == 0) {
                        if (!g.in_agents) {
                                g.in_agents = true;
                                g.group_ours = g.group_star = false;
                        }
                        bool is_star;
                        if (agent_matches(v, vlen, token, &is_star)) {
                                g.group_ours = true;
                                g.seen_ours = true;
                        }
                        g.group_star |= is_star;
                        continue;
                }
                bool allow = klen == 5 && strncasecmp(k, "allow", 5) == 0;
                bool disallow = klen == 8 && strncasecmp(k, "disallow", 8) == 0;
                bool delay = klen == 11 && strncasecmp(k, "crawl-delay", 11) == 0;
                if (!allow && !disallow && !delay)
                        continue;       /* sitemap and unknown keys end no group */
                g.in_agents = false;
                if (delay) {
                        long ms = parse_delay_ms(v, vlen);
                        if (g.group_ours)
                                delay_ours = ms;
                        if (g.group_star)
                                delay_star = ms;
                        continue;
                }
                /* "Disallow:" with no path allows everything: it is no rule at all. */
                if (g.group_ours)
                        add_rule(&ours, &n_ours, allow, v, vlen);
                if (g.group_star)
                        add_rule(&star, &n_star, allow, v, vlen);
        }

        if (g.seen_ours) {
                r->rules = ours;
                r->n_rules = n_ours;
                r->crawl_delay_ms = delay_ours;
                ours = NULL;
                n_ours = 0;
        } else {
                r->rules = star;
                r->n_rules = n_star;
                r->crawl_delay_ms = delay_star;
                star = NULL;
                n_star = 0;
        }
        for (size_t i = 0; i < n_ours; i++)
                free(ours[i].pattern);
        free(ours);
        for (size_t i = 0; i < n_star; i++)
                free(star[i].pattern);
        free(star);
        return r;
}
