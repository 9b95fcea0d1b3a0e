/* robots.txt (RFC 9309): the rules of one file that apply to our product token, and the
 * test of a URL's path against them. Pure functions: fetching robots.txt and deciding what
 * an unreachable one means is the crawl's business (site.c). */
#pragma once

#include <stdbool.h>
#include <stddef.h>

struct robots;

/* Parses the first 500 KiB of a robots.txt (RFC 9309, 2.5: a crawler must parse at least
 * that much; more is ignored), keeping the groups whose user-agent matches token
 * (case-insensitive, e.g. "xunjian"), or else the "*" groups. Never fails: text that is
 * not a robots.txt yields no rules, which allows everything. Returns a new object, freed
 * with robots_free(). */
struct robots *robots_parse(const char *text, size_t len, const char *token);
/* Rules that allow everything, or forbid everything (RFC 9309, 2.3.1.3 and 2.3.1.4). */
struct robots *robots_new_allow_all(void);
struct robots *robots_new_disallow_all(void);
void robots_free(struct robots *r);

/* Whether path (the URL's path and query as it is sent, percent-encoded) may be fetched:
 * the longest matching rule wins, an allow wins a tie, no match allows; "/robots.txt" is
 * always allowed. */
bool robots_allowed(const struct robots *r, const char *path);
/* The group's Crawl-delay in milliseconds (a widespread extension), 0 when none. */
long robots_crawl_delay_ms(const struct robots *r);
/* The number of rules kept, for tests and logs. */
size_t robots_rule_count(const struct robots *r);
