/* Finding publication dates in the text of government pages and in their URLs.
 *
 * Pages print dates in many ways: "2023-04-07", "2023/4/7", "2023.04.07", "2023年4月7日",
 * "[04-07]" (year left to the reader), "2023-04-07 10:21:00", in full-width digits
 * ("２０２３－０４－０７"), and CMSs put them in URLs ("/202304/t20230407_123.html",
 * "/art/2023/4/7/art_1_2.html"). These functions find them; they never allocate. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "common/xtime.h"

struct text_date {
        xj_day day;             /* the calendar day found */
        bool year_inferred;     /* the text had no year ("[04-07]"): taken from context */
        bool has_time;          /* a time of day followed the date */
        int hour, minute, second;
        size_t start, end;      /* byte offsets of the match in the scanned text */
};

/* Finds the first valid date in the len bytes of UTF-8 text at s. A date without a year
 * takes the year of `today`, or the year before when that would put it after `today`.
 * Numbers that only look like dates (phone numbers, document numbers such as
 * "〔2023〕12号", invalid days like 2023-02-30) are skipped.
 * Returns 0 and fills *ret, or -ENOENT when there is none. */
int date_find(const char *s, size_t len, xj_day today, struct text_date *ret);

/* Like date_find, but returns the latest valid date in the text (for a list item that
 * shows both a start and an update date, the update). -ENOENT when there is none. */
int date_find_latest(const char *s, size_t len, xj_day today, struct text_date *ret);

/* Finds a date in a URL's path in the forms CMSs use: "/202304/t20230407_123.html",
 * "/2023-04/07/", "/art/2023/4/7/art_1_2.html", "/20230407/". Only years 1990..2100.
 * Returns 0 and fills *ret (start/end are offsets in url), or -ENOENT. */
int date_from_url(const char *url, struct text_date *ret);
