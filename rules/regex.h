/* Regular expressions from rules.d (PCRE2, UTF-8, Unicode properties), run on untrusted
 * page text: every search is bounded by a match limit and a depth limit, so a pattern that
 * backtracks badly on a hostile page gives up (-E2BIG) instead of stalling the scan. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

struct rule_regex;

/* Compiles pattern (UTF-8). Returns 0 and *ret (free with rule_regex_free), or -EINVAL
 * and *ret_error, a message naming the byte offset of the problem (caller frees). */
int rule_regex_compile(const char *pattern, struct rule_regex **ret, char **ret_error);
/* Accepts NULL. */
void rule_regex_free(struct rule_regex *re);
/* The pattern as written; borrowed. */
const char *rule_regex_pattern(const struct rule_regex *re);

/* Searches the len bytes of UTF-8 at s. Returns 1 and the match in [*ret_start, *ret_end)
 * (both may be NULL), 0 when there is none, -E2BIG when a limit stopped the search (the
 * caller decides what an undecided search means), -EINVAL for text that is not UTF-8. */
int rule_regex_search(const struct rule_regex *re, const char *s, size_t len, size_t *ret_start,
                      size_t *ret_end);
