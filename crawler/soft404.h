/* Soft 404s: a missing page answered with 200 (or redirected to a page that answers 200),
 * which a link checker that reads only the status takes for a live link. Two signs: an
 * error title ("页面不存在", "404"), and the site's error template, learned by asking each
 * host once for a URL that cannot exist and fingerprinting what comes back. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "common/util.h"

/* The first of patterns found in title, or NULL. Matching ignores ASCII case; a pattern of
 * digits only ("404") must stand alone, not inside a longer number ("第1404号"). */
const char *soft404_title_match(const char *title, const struct strv *patterns);

/* A fingerprint of an error page: its title and text with what a template fills in per
 * request removed (the requested URL, its path, every digit, white space), so that the
 * template's answers for two missing URLs compare equal. text may be NULL. */
uint64_t soft404_fingerprint(const char *title, const char *text, const char *url);
