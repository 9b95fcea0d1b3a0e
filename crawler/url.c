/* URL helpers; see url.h. Resolution and normalisation go through libcurl's URL API, the
 * registrable domain through libpsl's built-in public suffix list. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <threads.h>

#include <curl/curl.h>
#include <libpsl.h>

#include "common/buf.h"
#include "common/util.h"
#include "crawler/url.h"

#define URL_DEFAULT_MAX 4096

const char *url_scope_id(enum url_scope s)
{
        switch (s) {
        case URL_SCOPE_SITE:
                return "site";
        case URL_SCOPE_DOMAIN:
                return "domain";
        case URL_SCOPE_EXTERNAL:
                return "external";
        }
        return "external";
}

static int errno_of_curlu(CURLUcode rc)
{
        switch (rc) {
        case CURLUE_OK:
                return 0;
        case CURLUE_OUT_OF_MEMORY:
                return -ENOMEM;
        case CURLUE_UNSUPPORTED_SCHEME:
                return -EPROTONOSUPPORT;
        default:
                return -EINVAL;
        }
}

static bool is_alpha(char c)
{
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool is_hex(char c)
{
        return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

static char ascii_upper(char c)
{
        return c >= 'a' && c <= 'z' ? (char)(c - 'a' + 'A') : c;
}

static char ascii_lower(char c)
{
        return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

/* Length of the scheme of s including its ":", or 0 when s does not start with one
 * (RFC 3986: ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ) ":"). */
static size_t scheme_len(const char *s)
{
        size_t i = 0;

        if (!is_alpha(s[0]))
                return 0;
        for (i = 1; s[i]; i++) {
                char c = s[i];
                if (c == ':')
                        return i + 1;
                if (!is_alpha(c) && !(c >= '0' && c <= '9') && c != '+' && c != '-' && c != '.')
                        return 0;
        }
        return 0;
}

/* True for "http" and "https" (len bytes at s, without the ":"). */
static bool scheme_is_web(const char *s, size_t len)
{
        return (len == 4 && strncasecmp(s, "http", 4) == 0) ||
               (len == 5 && strncasecmp(s, "https", 5) == 0);
}

static bool is_html_space(char c)
{
        return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f';
}

/* Prepares a reference as browsers do before parsing it, and percent-encodes it so that
 * one resource gets one spelling. Leading and trailing white space is removed and tabs
 * and line breaks inside dropped (an href split over lines still works in a browser);
 * the fragment is cut, since it never reaches the server; "\" in the path is read as
 * "/"; spaces, control bytes and non-ASCII bytes after the authority are encoded with
 * upper-case hex (RFC 3986 section 6.2.2.1), and existing escapes get upper-case hex too.
 * This is done here rather than by CURLU_URLENCODE because curl writes lower-case hex
 * and turns spaces in a query into "+", which a server may read differently from the
 * "%20" a browser sends. The authority is left alone: curl validates the host. */
static char *prepare_ref(const char *ref)
{
        static const char hex[] = "0123456789ABCDEF";
        size_t n = strlen(ref);
        const char *end;
        struct buf b;
        size_t authority_end = 0, i, sl;
        bool in_query = false;

        while (n > 0 && is_html_space(*ref)) {
                ref++;
                n--;
        }
        end = ref + n;
        while (end > ref && is_html_space(end[-1]))
                end--;

        buf_init(&b, SIZE_MAX / 4);
        for (const char *p = ref; p < end; p++) {
                if (*p == '\t' || *p == '\n' || *p == '\r')
                        continue;
                if (*p == '#')
                        break;
                buf_append(&b, p, 1);
        }
        if (!b.data)
                return xstrdup("");

        /* Find where the authority ends, so that only path and query are rewritten. */
        sl = scheme_len(b.data);
        if (strncmp(b.data + sl, "//", 2) == 0) {
                authority_end = sl + 2;
                while (b.data[authority_end] && !strchr("/?\\", b.data[authority_end]))
                        authority_end++;
        } else {
                authority_end = sl;
        }

        struct buf out;
        buf_init(&out, SIZE_MAX / 4);
        buf_append(&out, b.data, authority_end);
        for (i = authority_end; i < b.len; i++) {
                unsigned char c = (unsigned char)b.data[i];
                if (c == '?')
                        in_query = true;
                if (c == '\\' && !in_query) {
                        buf_append(&out, "/", 1);
                } else if (c == '%' && is_hex(b.data[i + 1]) && is_hex(b.data[i + 2])) {
                        char esc[3] = { '%', ascii_upper(b.data[i + 1]),
                                        ascii_upper(b.data[i + 2]) };
                        buf_append(&out, esc, 3);
                        i += 2;
                } else if (c <= 0x20 || c >= 0x7f || c == '"' || c == '<' || c == '>' ||
                           c == '`') {
                        char esc[3] = { '%', hex[c >> 4], hex[c & 15] };
                        buf_append(&out, esc, 3);
                } else {
                        buf_append(&out, &b.data[i], 1);
                }
        }
        buf_free(&b);
        return buf_steal(&out);
}

/* Lower-cases the host: curl keeps it as written, and "WWW.Xa.gov.cn" is one host. */
static int canonical_host(CURLU *u)
{
        char *host = NULL;
        CURLUcode rc;

        rc = curl_url_get(u, CURLUPART_HOST, &host, 0);
        if (rc != CURLUE_OK)
                return errno_of_curlu(rc);
        for (char *p = host; *p; p++)
                *p = ascii_lower(*p);
        rc = curl_url_set(u, CURLUPART_HOST, host, 0);
        curl_free(host);
        return errno_of_curlu(rc);
}

/* Builds a normalised URL from base (may be NULL) and ref into u. */
static int resolve_into(CURLU *u, const char *base, const char *ref)
{
        _cleanup_free_ char *pref = prepare_ref(ref);
        size_t sl = scheme_len(pref);
        CURLUcode rc;
        char *scheme = NULL;
        int r;

        /* Refuse other schemes before curl sees them: curl supports ftp:, file: and many
         * more, which we never follow, and a "javascript:" href is not an error. */
        if (sl > 0 && !scheme_is_web(pref, sl - 1))
                return -EPROTONOSUPPORT;
        if (base) {
                _cleanup_free_ char *pbase = prepare_ref(base);
                size_t bl = scheme_len(pbase);
                if (bl == 0)
                        return -EINVAL;
                if (!scheme_is_web(pbase, bl - 1))
                        return -EPROTONOSUPPORT;
                rc = curl_url_set(u, CURLUPART_URL, pbase, CURLU_URLENCODE);
                if (rc != CURLUE_OK)
                        return errno_of_curlu(rc);
        } else if (sl == 0) {
                /* GUESS_SCHEME stays off: "www.x.gov.cn/a" is not a URL. */
                return -EINVAL;
        }
        /* An empty reference (href="" or "#top") is the base itself; curl would make it
         * the base's directory. */
        if (pref[0] != '\0' || !base) {
                rc = curl_url_set(u, CURLUPART_URL, pref, CURLU_URLENCODE);
                if (rc != CURLUE_OK)
                        return errno_of_curlu(rc);
        }
        rc = curl_url_get(u, CURLUPART_SCHEME, &scheme, 0);
        if (rc != CURLUE_OK)
                return errno_of_curlu(rc);
        r = scheme_is_web(scheme, strlen(scheme)) ? 0 : -EPROTONOSUPPORT;
        curl_free(scheme);
        if (r < 0)
                return r;
        return canonical_host(u);
}

/* The fast path of url_resolve: a page's links are mostly plain paths ("/s1/a2.html",
 * "a2.html?page=2") against a base that is already normal, and for those the result is
 * the base's origin or directory followed by the reference, byte for byte what curl would
 * build; curl's URL API costs about as much per link as the rest of a page's parse.
 * Anything else (other characters, escapes, dot segments, a scheme, "//") takes the
 * general path. The last base is remembered with whether it is normal. */
static _Thread_local char *fast_base;
static _Thread_local bool fast_base_normal;

static bool fast_ref_char(char c, bool in_query)
{
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
                return true;
        if (c == '-' || c == '.' || c == '_' || c == '~' || c == '/')
                return true;
        return in_query ? c == '=' || c == '&' : c == '?';
}

static bool fast_resolve(const char *base, const char *ref, size_t max_len, char **ret)
{
        size_t n = strlen(ref);
        bool in_query = false;

        if (!base || n == 0 || n > 2048 || ref[0] == '.' || ref[0] == '?' ||
            (ref[0] == '/' && ref[1] == '/'))
                return false;
        for (size_t i = 0; i < n; i++) {
                if (!fast_ref_char(ref[i], in_query))
                        return false;
                if (ref[i] == '?')
                        in_query = true;
        }
        /* Dot segments in the path are for curl to remove. */
        size_t path_len = strcspn(ref, "?");
        for (size_t i = 0; i + 1 < path_len; i++)
                if (ref[i] == '/' && ref[i + 1] == '.')
                        return false;
        if (!fast_base || !streq(fast_base, base)) {
                char *norm = NULL;
                free(fast_base);
                fast_base = xstrdup(base);
                fast_base_normal = false;
                if (strlen(base) < 4096 && url_normalize(base, 4096, &norm) == 0)
                        fast_base_normal = streq(norm, base) && strchr(base, '@') == NULL;
                free(norm);
        }
        if (!fast_base_normal)
                return false;
        const char *authority = strstr(base, "://") + 3;
        const char *path = authority + strcspn(authority, "/?");
        size_t keep;
        if (ref[0] == '/') {
                keep = (size_t)(path - base);
        } else {
                const char *query = path + strcspn(path, "?");
                const char *slash = query;
                while (slash > path && slash[-1] != '/')
                        slash--;
                if (slash == path)
                        return false;   /* no path at all: let curl decide */
                keep = (size_t)(slash - base);
        }
        if (keep + n > max_len)
                return false;
        char *out = xmalloc(keep + n + 1);
        memcpy(out, base, keep);
        memcpy(out + keep, ref, n + 1);
        *ret = out;
        return true;
}

int url_resolve(const char *base, const char *ref, size_t max_len, char **ret)
{
        CURLU *u;
        char *out = NULL;
        CURLUcode rc;
        int r;

        if (!ref)
                return -EINVAL;
        if (max_len == 0)
                max_len = URL_DEFAULT_MAX;
        if (fast_resolve(base, ref, max_len, ret))
                return 0;
        u = curl_url();
        if (!u)
                return -ENOMEM;
        r = resolve_into(u, base, ref);
        if (r < 0)
                goto out;
        rc = curl_url_get(u, CURLUPART_URL, &out, CURLU_NO_DEFAULT_PORT);
        if (rc != CURLUE_OK) {
                r = errno_of_curlu(rc);
                goto out;
        }
        if (strlen(out) > max_len) {
                r = -E2BIG;
                goto out;
        }
        *ret = xstrdup(out);
        r = 0;
out:
        curl_free(out);
        curl_url_cleanup(u);
        return r;
}

int url_normalize(const char *url, size_t max_len, char **ret)
{
        return url_resolve(NULL, url, max_len, ret);
}

/* The parts of a URL that scope decisions compare. */
struct url_parts {
        char *host;     /* lower case */
        char *port;     /* NULL when the scheme's default */
        char *path;
};

static void url_parts_free(struct url_parts *p)
{
        curl_free(p->host);
        curl_free(p->port);
        curl_free(p->path);
}

static int url_parts_of(const char *url, struct url_parts *ret)
{
        CURLU *u = curl_url();
        int r;

        *ret = (struct url_parts){ 0 };
        if (!u)
                return -ENOMEM;
        r = resolve_into(u, NULL, url);
        if (r < 0)
                goto out;
        if (curl_url_get(u, CURLUPART_HOST, &ret->host, 0) != CURLUE_OK ||
            curl_url_get(u, CURLUPART_PATH, &ret->path, 0) != CURLUE_OK) {
                r = -EINVAL;
                goto out;
        }
        /* With NO_DEFAULT_PORT, the default port reads as "no port". */
        if (curl_url_get(u, CURLUPART_PORT, &ret->port, CURLU_NO_DEFAULT_PORT) != CURLUE_OK)
                ret->port = NULL;
out:
        if (r < 0)
                url_parts_free(ret);
        curl_url_cleanup(u);
        return r;
}

static const psl_ctx_t *psl_ctx;
static once_flag psl_once = ONCE_FLAG_INIT;

/* The built-in list is compiled into libpsl; when a distribution builds libpsl without
 * it, the system's list file is the fallback. Loaded once and never freed. */
static void psl_init(void)
{
        psl_ctx = psl_builtin();
        if (!psl_ctx)
                psl_ctx = psl_latest(NULL);
}

static bool host_is_ip(const char *host)
{
        if (host[0] == '[')
                return true;
        for (const char *p = host; *p; p++)
                if (!(*p >= '0' && *p <= '9') && *p != '.')
                        return false;
        return true;
}

/* The registrable domain ("xa.gov.cn" for "www.xa.gov.cn"), or the host itself for IP
 * addresses and names the list does not know (such as "localhost"). */
static const char *registrable_domain(const char *host)
{
        const char *d = NULL;

        if (host_is_ip(host))
                return host;
        call_once(&psl_once, psl_init);
        if (psl_ctx)
                d = psl_registrable_domain(psl_ctx, host);
        return d ? d : host;
}

/* True when path lies under the directory of base_path: "/sub/x" under "/sub/", and
 * "/sub" itself, but not "/subway". */
static bool path_under(const char *path, const char *base_path)
{
        const char *slash = strrchr(base_path, '/');
        size_t dir_len = slash ? (size_t)(slash - base_path) + 1 : 0;

        if (strncmp(path, base_path, dir_len) == 0)
                return true;
        return dir_len > 1 && strlen(path) == dir_len - 1 && strncmp(path, base_path,
                                                                     dir_len - 1) == 0;
}

enum url_scope url_scope_of(const char *url, const char *site_base)
{
        struct url_parts a, b;
        enum url_scope scope = URL_SCOPE_EXTERNAL;
        size_t base_len = site_base ? strlen(site_base) : 0;

        /* Most links of a site start with its base: for normalised URLs (no dot segments)
         * that alone says SITE, without parsing both URLs, which the crawl would otherwise
         * do twice for every link of every page. */
        if (url && base_len && site_base[base_len - 1] == '/' &&
            strncmp(url, site_base, base_len) == 0 && !strstr(url + base_len, "../") &&
            !strstr(url + base_len, "/./"))
                return URL_SCOPE_SITE;
        if (!url || !site_base || url_parts_of(url, &a) < 0)
                return URL_SCOPE_EXTERNAL;
        if (url_parts_of(site_base, &b) < 0) {
                url_parts_free(&a);
                return URL_SCOPE_EXTERNAL;
        }
        if (streq(a.host, b.host) && streq_ptr(a.port, b.port) && path_under(a.path, b.path))
                scope = URL_SCOPE_SITE;
        else if (streq(registrable_domain(a.host), registrable_domain(b.host)))
                scope = URL_SCOPE_DOMAIN;
        url_parts_free(&a);
        url_parts_free(&b);
        return scope;
}

char *url_host(const char *url)
{
        struct url_parts p;
        char *host;

        /* A normal URL of the plain kind (lower-case host, no user, no IPv6 literal, no
         * escapes) has its host between "://" and the next ':', '/', '?' or '#': no need
         * to parse it, which the list and pager detection do for every link. */
        const char *a = url ? strstr(url, "://") : NULL;
        if (a && (str_startswith(url, "http://") || str_startswith(url, "https://"))) {
                a += 3;
                size_t n = strcspn(a, ":/?#");
                bool plain = n > 0 && strcspn(a, "@[%") > n + strcspn(a + n, "/?#");
                for (size_t i = 0; plain && i < n; i++)
                        plain = (a[i] >= 'a' && a[i] <= 'z') || (a[i] >= '0' && a[i] <= '9') ||
                                a[i] == '-' || a[i] == '.';
                if (plain)
                        return xstrndup(a, n);
        }
        if (!url || url_parts_of(url, &p) < 0)
                return NULL;
        host = xstrdup(p.host);
        url_parts_free(&p);
        return host;
}
