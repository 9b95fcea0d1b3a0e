/* URL handling on top of libcurl's URL API (curl_url_*) and libpsl: resolving a link
 * against its page, normalising it so that one resource has one spelling, and telling
 * whether a link is on the same site (站内), the same registrable domain (域内) or
 * elsewhere (域外). */
#pragma once

#include <stdbool.h>
#include <stddef.h>

enum url_scope {
        URL_SCOPE_SITE = 0,     /* under the site's base URL */
        URL_SCOPE_DOMAIN = 1,   /* same registrable domain (e.g. *.gov.cn sibling), other host */
        URL_SCOPE_EXTERNAL = 2,
};
const char *url_scope_id(enum url_scope s);   /* "site", "domain", "external" */

/* Resolves ref (as found in an href) against base and normalises the result: scheme and
 * host lower-cased, default port dropped, fragment dropped, "." and ".." segments
 * removed, spaces and non-ASCII bytes percent-encoded, empty path made "/". Only http
 * and https results are accepted; "javascript:", "mailto:", "tel:", "data:" and the like
 * give -EPROTONOSUPPORT, unparsable input -EINVAL, a result longer than max_len -E2BIG.
 * On success *ret is a new string the caller frees.
 * Also: white space around ref and line breaks inside it are dropped and "\" in a path
 * reads as "/" (as browsers do); percent escapes get upper-case hex; max_len 0 means
 * 4096; an empty ref or a bare "#..." gives base itself. */
int url_resolve(const char *base, const char *ref, size_t max_len, char **ret);

/* Normalises an absolute URL as url_resolve does. */
int url_normalize(const char *url, size_t max_len, char **ret);

/* The scope of url relative to a site whose base URL is site_base (absolute, ending in
 * "/"): same scheme-less host and port with a path under the base's path is SITE; same
 * registrable domain by the public suffix list is DOMAIN; anything else EXTERNAL. */
enum url_scope url_scope_of(const char *url, const char *site_base);

/* Lower-cased host of an absolute URL, or NULL; the caller frees it. */
char *url_host(const char *url);
