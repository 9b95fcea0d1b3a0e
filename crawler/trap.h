/* Endless URL spaces (crawler traps): session ids that make every visit a new URL,
 * calendars that link one more month for ever, relative links that add a path segment
 * at every step, and query strings that vary without end. The crawl strips session ids
 * before it records a URL and refuses URLs these tests call a trap. */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "common/xtime.h"

/* url without its session ids (";jsessionid=..." path parameters and query parameters
 * such as JSESSIONID, PHPSESSID, ASPSESSIONID..., sid, sessionid, CFID/CFTOKEN): a new
 * string the caller frees, or NULL when url carries none. */
char *trap_strip_session(const char *url);

/* Why url looks like an endless URL space, in Chinese for the log, or NULL:
 *  - a path segment that occurs three times or more (/a/b/a/b/a/b/), or more than 32
 *    segments;
 *  - a date in the path or query whose year lies more than 30 years before or 2 years
 *    after today (a calendar clicked far beyond any content). */
const char *trap_check(const char *url, xj_day today);

/* Counts the URLs met per path that differ only in their query string, so that a path
 * with endless query variants (filters, sort orders, calendars by parameter) is cut at a
 * cap. Bounded memory: paths are counted by hash in a fixed table, and paths that share a
 * slot share a count, which can only make the cap bite early on a very large site. */
struct trap_counter;
struct trap_counter *trap_counter_new(unsigned max_per_path);
void trap_counter_free(struct trap_counter *t);
/* Counts url (when it has a query) and returns true when its path is over the cap. */
bool trap_counter_over(struct trap_counter *t, const char *url);
