/* Reading the posts of a new-media account (政务新媒体) from where they are published for
 * machines or people: an RSS 2.0 or Atom feed, a JSON Feed 1.1, or an HTML listing page
 * with dates. What the freshness rules need is each post's title, link and date.
 *
 * Feeds are untrusted input: XML is parsed with libxml2 without network access, without
 * entity substitution and without HUGE, and a document that declares entities is refused
 * outright, so an XXE or "billion laughs" feed is an error, never a file read or a blow-up.
 * The number of items kept is capped. A feed that cannot be read (bad XML, truncated JSON,
 * no dates at all) is an error with a message naming the URL and the problem. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/xtime.h"

enum feed_format {
        FEED_RSS = 0,
        FEED_ATOM,
        FEED_JSON,      /* JSON Feed 1.1 (https://jsonfeed.org/version/1.1) */
        FEED_HTML,      /* a listing page: dated links, as a column page shows them */
};
/* "rss", "atom", "json", "html"; and back (-EINVAL for anything else). */
const char *feed_format_id(enum feed_format f);
int feed_format_from_id(const char *s, enum feed_format *ret);

struct feed_item {
        char *title;            /* may be "" */
        char *url;              /* as written (absolute for HTML listings), may be "" */
        bool has_date;
        int64_t at;             /* Unix time of publication; 00:00 CST for a bare day */
        bool has_time;          /* the source gave a time of day */
};

struct feed {
        enum feed_format format;
        char *title;                    /* the feed's own title, may be "" */
        struct feed_item *items;        /* in document order */
        size_t n_items;
        size_t items_dropped;           /* beyond max_items */
        size_t undated;                 /* items kept without a readable date */
};

struct feed_options {
        size_t max_items;               /* items kept; 0: 1000 */
        xj_day today;                   /* context for year-less dates on HTML listings */
        const char *item_selector;      /* HTML only: CSS subset or XPath, NULL to detect */
        const char *content_type;       /* HTML only: the HTTP header, for the charset */
        size_t max_url_length;          /* HTML only; 0: 4096 */
};

/* Parses len bytes of body fetched from url as format. On success returns 0 and *ret
 * (free with feed_free). A feed that parses but whose items carry no readable date at
 * all is an error too: it cannot show when the account last posted. On failure returns
 * -EBADMSG (malformed: bad XML, bad JSON, not a feed of that format, no dates, entities
 * declared) or -EINVAL (an invalid item selector), and *ret_error (the caller frees) says
 * what is wrong, naming url. An empty feed (no items) is not an error. */
int feed_parse(const char *body, size_t len, const char *url, enum feed_format format,
               const struct feed_options *o, struct feed **ret, char **ret_error);
void feed_free(struct feed *f);

/* The newest dated item not later than `not_after` (dates in the future are typos or
 * announcements, not posts); false when there is none. */
bool feed_newest(const struct feed *f, int64_t not_after, int64_t *ret);

/* Dates as feeds write them. RFC 822 / 2822 (RSS pubDate: "Mon, 07 Apr 2025 10:21:00
 * +0800", day name and seconds optional, two-digit years, the named zones; "CST" is read
 * as China Standard Time, which is what Chinese CMSs mean by it) and RFC 3339 (Atom,
 * JSON Feed: "2025-04-07T10:21:00+08:00", fractions and "Z" allowed, a space for "T"
 * tolerated). Return 0 and the Unix time, or -EINVAL. */
int feed_parse_rfc822(const char *s, int64_t *ret);
int feed_parse_rfc3339(const char *s, int64_t *ret);
